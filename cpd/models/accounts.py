from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpd.models.schools import School, Trust


class SignInPolicy(models.Model):
    """How a trust's or a school's people may sign in: which single sign-on providers, for
    which email domains, whether a new address on those domains joins the school by itself,
    and whether DSLs, deputies and admins must use two-factor authentication.

    A school follows its own policy and its trust's: a provider or a domain allowed by
    either is allowed, and two-factor is required if either requires it."""

    trust = models.OneToOneField(
        Trust,
        verbose_name=_("trust"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_policy",
    )
    school = models.OneToOneField(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_policy",
    )
    providers = models.CharField(
        _("single sign-on providers"),
        max_length=200,
        blank=True,
        help_text=_(
            "Comma-separated: microsoft, google, or the id of an OpenID Connect provider "
            "in the site's settings. Empty: email address and password only."
        ),
    )
    email_domains = models.CharField(
        _("email domains"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated, e.g. oakwood.sch.uk. Single sign-on works only for these."),
    )
    automatic_accounts = models.BooleanField(
        _("automatic accounts"),
        default=False,
        help_text=_(
            "Someone the school does not have yet, signing in through a provider above with "
            "an address on these domains, joins the school as staff (a new starter)."
        ),
    )
    require_two_factor = models.BooleanField(
        _("two-factor authentication for DSLs, deputies and admins"),
        default=False,
        help_text=_(
            "They must set up an authenticator app before they can open any other page. "
            "A single sign-on counts as the provider's own two-factor check."
        ),
    )

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")
        constraints = [
            models.CheckConstraint(
                condition=(Q(trust__isnull=False) & Q(school__isnull=True))
                | (Q(trust__isnull=True) & Q(school__isnull=False)),
                name="cpd_signinpolicy_trust_or_school",
            )
        ]

    def __str__(self) -> str:
        return str(self.school or self.trust)

    def clean(self):
        if bool(self.trust_id) == bool(self.school_id):
            raise ValidationError(_("Choose a trust or a school, not both."))
        if self.automatic_accounts and not self.school_id:
            raise ValidationError(
                {"automatic_accounts": _("Automatic accounts need a school to join.")}
            )
        if self.automatic_accounts and not self.domain_list:
            raise ValidationError(
                {"email_domains": _("Automatic accounts need at least one email domain.")}
            )

    @property
    def provider_list(self) -> list[str]:
        return [p.strip().lower() for p in self.providers.split(",") if p.strip()]

    @property
    def domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.email_domains.split(",") if d.strip()]

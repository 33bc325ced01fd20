"""The school's own safeguarding arrangements (who to tell, how, and the numbers to ring)
and its own policies, which staff read and confirm.

A trust may keep arrangements and publish policies for all its schools: a school's own
value replaces the trust's, field by field for arrangements and policy by policy (by kind)
for policies."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpd.models.schools import Membership, MembershipOwnedQuerySet, School, Trust

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()-]{1,22}[0-9]$",
    _("Enter a telephone number using digits, spaces and brackets, such as 0300 123 4567."),
)


def phone_field(label):
    return models.CharField(label, max_length=24, blank=True, validators=[phone_validator])


class Arrangements(models.Model):
    """Who to tell and how, for one school, or a trust's defaults for its schools."""

    school = models.OneToOneField(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="arrangements",
    )
    trust = models.OneToOneField(
        Trust,
        verbose_name=_("trust"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="arrangements",
    )
    out_of_hours_cover = models.CharField(_("who covers out of hours"), max_length=300, blank=True)
    trips_cover = models.CharField(_("who covers on trips and visits"), max_length=300, blank=True)
    recording_system = models.CharField(
        _("how concerns are recorded"),
        max_length=100,
        blank=True,
        help_text=_("The system's name, such as CPOMS, MyConcern or the paper form."),
    )
    recording_link = models.URLField(_("link to record a concern"), blank=True)
    childrens_social_care = models.CharField(
        _("children's social care front door"), max_length=200, blank=True
    )
    childrens_social_care_phone = phone_field(_("children's social care telephone"))
    childrens_social_care_out_of_hours = phone_field(_("children's social care out of hours"))
    lado_contact = models.CharField(_("LADO"), max_length=200, blank=True)
    lado_phone = phone_field(_("LADO telephone"))
    lado_email = models.EmailField(_("LADO email"), blank=True)
    partnership_procedures = models.URLField(
        _("local safeguarding partnership's procedures"), blank=True
    )
    prevent_contact = models.CharField(_("Prevent contact"), max_length=200, blank=True)
    prevent_phone = phone_field(_("Prevent telephone"))
    whistleblowing_phone = phone_field(_("NSPCC whistleblowing line"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("safeguarding arrangements")
        verbose_name_plural = _("safeguarding arrangements")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="cpd_arrangements_school_or_trust",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Safeguarding arrangements: %(owner)s") % {"owner": self.school or self.trust})


def lead_photo_path(lead: "SafeguardingLead", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower()
    extension = extension if extension in {"png", "jpg"} else "jpg"
    return f"schools/leads/{lead.membership.school_id}/{uuid.uuid4().hex}.{extension}"


class SafeguardingLead(models.Model):
    """How to reach a DSL or deputy (a membership with that role)."""

    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="safeguarding_lead",
    )
    phone = phone_field(_("telephone"))
    where_to_find = models.CharField(_("where to find them"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to=lead_photo_path, blank=True)

    objects = MembershipOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("safeguarding lead's contact details")
        verbose_name_plural = _("safeguarding leads' contact details")

    def __str__(self) -> str:
        return str(self.membership)


class Policy(models.Model):
    """One of the school's (or trust's) policies that staff must read, in its versions."""

    class Kind(models.TextChoices):
        CHILD_PROTECTION = "child_protection", _("Child protection policy")
        CODE_OF_CONDUCT = "code_of_conduct", _("Staff code of conduct")
        BEHAVIOUR = "behaviour", _("Behaviour policy")
        ONLINE_SAFETY = "online_safety", _("Online safety and acceptable use policy")
        MISSING_EDUCATION = "missing_education", _("Children missing education")
        WHISTLEBLOWING = "whistleblowing", _("Whistleblowing policy")

    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policies",
    )
    trust = models.ForeignKey(
        Trust,
        verbose_name=_("trust"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="policies",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, trust__isnull=True)
                | Q(school__isnull=True, trust__isnull=False),
                name="cpd_policy_school_or_trust",
            ),
            models.UniqueConstraint(
                fields=["school", "kind"],
                condition=Q(school__isnull=False),
                name="cpd_policy_one_kind_per_school",
            ),
            models.UniqueConstraint(
                fields=["trust", "kind"],
                condition=Q(trust__isnull=False),
                name="cpd_policy_one_kind_per_trust",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def policy_path(version: "PolicyVersion", filename: str) -> str:
    """A random name ending .pdf: the file's content was checked to be a PDF."""
    owner = (
        f"school-{version.policy.school_id}"
        if version.policy.school_id
        else (f"trust-{version.policy.trust_id}")
    )
    return f"policies/{owner}/{uuid.uuid4().hex}.pdf"


class PolicyVersion(models.Model):
    """A published version of a policy: an uploaded PDF or written text. Never changed once
    published; a change is a new version, which asks everyone to confirm again."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(_("version"), max_length=30)
    effective_on = models.DateField(_("effective from"))
    file = models.FileField(_("PDF"), upload_to=policy_path, blank=True)
    text = models.TextField(_("text (Markdown)"), blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="cpd_policy_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.title}, version {self.version}"


class PolicyConfirmation(models.Model):
    """A person's confirmation that they have read one version of a policy, with the hash
    of what they were shown."""

    version = models.ForeignKey(
        PolicyVersion,
        verbose_name=_("policy version"),
        on_delete=models.PROTECT,
        related_name="confirmations",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="policy_confirmations",
    )
    at = models.DateTimeField(_("confirmed at"), default=timezone.now)
    sha256 = models.CharField(_("SHA-256 of what was read"), max_length=64)

    objects = MembershipOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["at"]
        verbose_name = _("policy confirmation")
        verbose_name_plural = _("policy confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "membership"], name="cpd_policy_confirmed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} read {self.version}"

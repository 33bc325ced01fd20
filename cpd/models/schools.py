from datetime import date

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SchoolOwnedQuerySet(models.QuerySet):
    """The one scoping method of every school-owned model: ``for_school(school)``, the rows
    that belong to that school. ``school_path`` is the lookup from the row to its school.
    Selectors start from it, so a school's page can reach no other school's rows."""

    school_path = "school"

    def for_school(self, school):
        return self.filter(**{self.school_path: school})


class MembershipOwnedQuerySet(SchoolOwnedQuerySet):
    """For rows that belong to a school through a membership (records, certificates)."""

    school_path = "membership__school"


class MembershipQuerySet(SchoolOwnedQuerySet):
    def joined(self) -> "MembershipQuerySet":
        """Memberships that count: not invitations still waiting for the person to accept."""
        return self.filter(status=Membership.Status.JOINED)

    def active_on(self, on: date) -> "MembershipQuerySet":
        """Members who have joined, started and not yet left on the given date."""
        return (
            self.joined()
            .filter(started_on__lte=on)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=on))
        )

    def current(self, on: date) -> "MembershipQuerySet":
        """Members who have joined and not left by the given date, including people
        starting later. Invitations not yet accepted are not members."""
        return self.joined().filter(Q(left_on__isnull=True) | Q(left_on__gt=on))

    def listed(self, on: date) -> "MembershipQuerySet":
        """The school's staff list: current members and invitations still waiting."""
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class Trust(models.Model):
    """A multi-academy trust or local authority: an optional parent of schools."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("trust")
        verbose_name_plural = _("trusts")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Country(models.TextChoices):
        ENGLAND = "england", _("England")
        WALES = "wales", _("Wales")
        SCOTLAND = "scotland", _("Scotland")
        NORTHERN_IRELAND = "northern_ireland", _("Northern Ireland")
        OTHER = "other", _("Elsewhere")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    urn = models.CharField(
        _("URN"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("A URN is six digits."))],
        help_text=_("Unique reference number (England)."),
    )
    trust = models.ForeignKey(
        Trust,
        verbose_name=_("trust"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools",
    )
    country = models.CharField(
        _("country"), max_length=20, choices=Country.choices, default=Country.ENGLAND
    )
    logo = models.ImageField(_("logo"), upload_to="schools/logos/", blank=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/London")

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's place in one school. A person may belong to several schools.

    ``first_name`` and ``last_name`` are what this school calls the person: the school
    types and changes them; the account's own name is the person's. A membership the school
    made for an account that already existed is ``invited`` until the person accepts it:
    until then it counts for nothing (compliance, permissions, reminders) and the school
    sees only what it typed."""

    class Status(models.TextChoices):
        JOINED = "joined", _("Joined")
        INVITED = "invited", _("Invited")

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        DSL = "dsl", _("Designated safeguarding lead")
        DEPUTY_DSL = "deputy_dsl", _("Deputy DSL")
        SCHOOL_ADMIN = "school_admin", _("School admin")

    class StaffCategory(models.TextChoices):
        TEACHING = "teaching", _("Teaching staff")
        SUPPORT = "support", _("Support staff")
        GOVERNOR = "governor", _("Governor")
        VOLUNTEER = "volunteer", _("Volunteer")
        CONTRACTOR = "contractor", _("Contractor")
        SUPPLY = "supply", _("Supply staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="cpd_memberships",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    staff_category = models.CharField(
        _("staff category"), max_length=20, choices=StaffCategory.choices
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    started_on = models.DateField(_("start date"))
    left_on = models.DateField(_("leaving date"), null=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.JOINED
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["school", "last_name", "first_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"], name="cpd_membership_one_per_person_and_school"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("started_on")),
                name="cpd_membership_left_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} — {self.school}"

    @property
    def full_name(self) -> str:
        """The person's name as this school knows it."""
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """The school's name for the person, or the email address the school gave."""
        return self.full_name or self.user.email

    @property
    def invited(self) -> bool:
        return self.status == self.Status.INVITED


class TrustRole(models.Model):
    class Role(models.TextChoices):
        TRUST_ADMIN = "trust_admin", _("Trust admin")
        CONTENT_REVIEWER = "content_reviewer", _("Content reviewer")
        """Reviews the courses: sees item statistics from the trust's attempts, no one's
        records."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="cpd_trust_roles",
    )
    trust = models.ForeignKey(
        Trust, verbose_name=_("trust"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.TRUST_ADMIN
    )

    class Meta:
        verbose_name = _("trust role")
        verbose_name_plural = _("trust roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "trust", "role"], name="cpd_trustrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.trust}"

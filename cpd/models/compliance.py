import uuid
from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cpd.models.schools import (
    Membership,
    MembershipOwnedQuerySet,
    School,
    SchoolOwnedQuerySet,
    Trust,
)


class RequirementQuerySet(models.QuerySet):
    def for_school(self, school) -> "RequirementQuerySet":
        """The requirements in force in this school: for each course, the most specific row
        of the school's own, its trust's and the platform's — and none at all when that row
        is switched off (``is_active`` False), which is how a school or trust drops a
        course's requirement. (``cpd.compliance.engine.requirements_by_school`` answers the
        same for many schools at once.)"""
        own = Q(scope="school", school=school)
        trust = Q(scope="trust", trust_id=school.trust_id) if school.trust_id else Q(pk__in=[])
        # The policies requirement has no course: it is matched with its own kind.
        same_course = self.model.objects.annotate(topic=Coalesce("course_id", Value(0))).filter(
            topic=Coalesce(OuterRef("course_id"), Value(0))
        )
        return self.filter(
            (own & Q(is_active=True))
            | (trust & Q(is_active=True) & ~Exists(same_course.filter(own)))
            | (
                Q(scope="platform", is_active=True)
                & ~Exists(same_course.filter(own))
                & ~Exists(same_course.filter(trust))
            )
        )


class Requirement(models.Model):
    """Which staff must hold a course, and how often they renew it.

    Requirements are data: the platform ships defaults (KCSIE), and a trust or school can
    override a default for the same course with its own row, which then replaces it.
    """

    class Scope(models.TextChoices):
        PLATFORM = "platform", _("Platform default")
        TRUST = "trust", _("Trust")
        SCHOOL = "school", _("School")

    class Kind(models.TextChoices):
        COURSE = "course", _("Complete a course")
        POLICIES = "policies", _("Read and confirm the school's policies")

    #: What a requirement with no course is called in filters and exports.
    POLICIES_SLUG = "school-policies"

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COURSE)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    trust = models.ForeignKey(
        Trust, verbose_name=_("trust"), null=True, blank=True, on_delete=models.CASCADE
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.CASCADE
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requirements",
        help_text=_("Empty for reading and confirming the school's policies."),
    )
    roles = models.JSONField(
        _("roles"), default=list, blank=True, help_text=_("Empty: every role.")
    )
    staff_categories = models.JSONField(
        _("staff categories"), default=list, blank=True, help_text=_("Empty: every category.")
    )
    renewal_months = models.PositiveSmallIntegerField(
        _("renew every (months)"), null=True, blank=True, help_text=_("Empty: once only.")
    )
    induction_days = models.PositiveSmallIntegerField(
        _("due within (days of starting)"), null=True, blank=True
    )
    renewal_month = models.PositiveSmallIntegerField(
        _("renew each year in month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1–12. If set, renew during this month each year (9: each September)."),
    )
    due_soon_days = models.PositiveSmallIntegerField(_("due soon window (days)"), default=30)
    bulletins_needed = models.PositiveSmallIntegerField(
        _("bulletins that count as the update"),
        null=True,
        blank=True,
        help_text=_(
            "If set, confirming this many of the school's bulletins within the renewal "
            "period also meets this requirement. Empty: bulletins do not count."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(scope="platform", trust__isnull=True, school__isnull=True)
                    | Q(scope="trust", trust__isnull=False, school__isnull=True)
                    | Q(scope="school", trust__isnull=True, school__isnull=False)
                ),
                name="cpd_requirement_scope_matches_owner",
            ),
            models.CheckConstraint(
                condition=Q(kind="course", course__isnull=False)
                | Q(kind="policies", course__isnull=True),
                name="cpd_requirement_kind_matches_course",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def topic(self) -> str:
        """The course's slug, or ``school-policies``: what filters and exports name."""
        return self.course.slug if self.course_id else self.POLICIES_SLUG

    @property
    def topic_id(self) -> int:
        """The course's id, or 0 for the policies requirement: what page addresses use."""
        return self.course_id or 0

    @property
    def renewal_month_name(self) -> str:
        return date_format(date(2000, self.renewal_month, 1), "F") if self.renewal_month else ""

    @property
    def is_policies(self) -> bool:
        return self.kind == self.Kind.POLICIES


EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg")


def evidence_path(record: "ExternalRecord", filename: str) -> str:
    """A random name under the school's folder: the uploaded name is never used, so it can
    neither be guessed nor carry anything into a path. The extension is the one the
    content was found to be (``cpd.uploads.evidence_cleaned`` names the file); anything
    else is kept as ``.bin``, which no browser runs."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in EVIDENCE_EXTENSIONS:
        extension = "bin"
    return f"evidence/{record.membership.school_id}/{uuid.uuid4().hex}.{extension}"


class ExternalRecord(models.Model):
    """Training done elsewhere, which a DSL can verify as satisfying a course."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("membership"),
        on_delete=models.CASCADE,
        related_name="external_records",
    )
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    satisfies_course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("counts as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    objects = MembershipOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_on"]
        verbose_name = _("external record")
        verbose_name_plural = _("external records")

    def __str__(self) -> str:
        return f"{self.title} ({self.provider})"


class ReminderLog(models.Model):
    """A reminder that has been sent, so the same one is never sent twice.

    ``kind`` is upcoming / overdue (to the person, per requirement and due date), digest
    (to a DSL, once per week, dated the Monday) or nudge (from a DSL, once per day)."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        DIGEST = "digest", _("Weekly digest")
        NUDGE = "nudge", _("Nudge from the DSL")

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="+"
    )
    requirement = models.ForeignKey(
        Requirement, verbose_name=_("requirement"), null=True, on_delete=models.CASCADE
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("for the date"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = MembershipOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "requirement", "kind", "due_on"],
                condition=Q(requirement__isnull=False),
                name="cpd_reminder_once_per_requirement_and_date",
            ),
            models.UniqueConstraint(
                fields=["membership", "kind", "due_on"],
                condition=Q(requirement__isnull=True),
                name="cpd_reminder_once_per_person_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.membership} ({self.due_on})"


class Bulletin(models.Model):
    """A short safeguarding update from the DSL ("little and often"). Staff confirm they
    have read it; a school's requirement can accept enough confirmations as its update."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.CASCADE, related_name="bulletins"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("update (Markdown)"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)

    objects = SchoolOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")

    def __str__(self) -> str:
        return self.title


class BulletinRead(models.Model):
    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.CASCADE, related_name="reads"
    )
    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("bulletin confirmation")
        verbose_name_plural = _("bulletin confirmations")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "membership"], name="cpd_bulletin_read_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} read {self.bulletin}"

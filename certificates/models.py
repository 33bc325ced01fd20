import re

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cpd.conf import cpd_settings
from cpd.models.schools import MembershipOwnedQuerySet, SchoolOwnedQuerySet


def certificate_storage():
    """Where certificate PDFs and evidence packs are kept (``CPD_CERTIFICATE_STORAGE``)."""
    return storages[cpd_settings.CERTIFICATE_STORAGE]


_SERIAL_YEAR = re.compile(r"-(\d{4})-\d+$")


def certificate_pdf_path(certificate: "Certificate", filename: str) -> str:
    """``certificates/<year>/<filename>``, the year being the one in the serial
    (``CPD-2026-000123`` → ``certificates/2026/``): a PDF rendered late, or re-rendered in
    a later year, is filed with the year it was issued in, not the year of the render."""
    match = _SERIAL_YEAR.search(certificate.serial or "")
    year = match[1] if match else f"{certificate.issued_at:%Y}"
    return f"certificates/{year}/{filename}"


class Certificate(models.Model):
    """Proof that a person completed a course version. Issued records never change: the
    snapshot fields hold what was true at issue, and the PDF is rendered once from them.
    A correction revokes or supersedes this one and issues a new one linked to it."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    enrolment = models.ForeignKey(
        "courses.Enrolment",
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    membership = models.ForeignKey(
        "cpd.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "courses.Course",
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        related_name="certificates",
    )
    # Null only for the instant between insert and numbering, inside one transaction.
    serial = models.CharField(_("serial number"), max_length=40, unique=True, null=True)
    verification_code = models.CharField(_("verification code"), max_length=64, unique=True)
    """Sixteen characters of Crockford's base 32 (``services._verification_code``), printed
    in groups of four; certificates issued before that carry a longer URL-safe code."""

    holder_name = models.CharField(_("holder's name"), max_length=300)
    school_name = models.CharField(_("school"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    course_version_number = models.PositiveIntegerField(_("course version"))
    reviewed_against = models.CharField(_("reviewed against"), max_length=100)
    cpd_minutes = models.PositiveIntegerField(_("CPD minutes"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    completed_on = models.DateField(_("completed on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"))
    # Who vouches for the training on the certificate: the school's DSL at issue (else its
    # admin), by name and role, as they were then.
    signatory_name = models.CharField(_("signed by"), max_length=300, blank=True)
    signatory_role = models.CharField(_("signatory's role"), max_length=200, blank=True)

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.VALID
    )
    # Why, when and by whom this certificate stopped being valid (revoked or superseded).
    revoked_reason = models.TextField(_("reason"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
    )

    # On a re-issued certificate whose name differs from the one it replaces: why the name
    # was corrected. Verification shows it as "re-issued (name corrected)".
    name_correction = models.TextField(_("why the name was corrected"), blank=True)

    pdf = models.FileField(
        _("PDF"), upload_to=certificate_pdf_path, storage=certificate_storage, blank=True
    )
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    # Set by the retention command: the holder's name is replaced and the PDF (which shows
    # the name) is deleted; the record, its hash and its verification stay.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # When the holder was emailed that it is ready: set before sending, so a task run
    # twice (a retry, a worker that died) emails once.
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    objects = MembershipOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=Q(status="valid"),
                name="certificates_one_valid_per_enrolment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.serial} — {self.holder_name}, {self.course_title}"

    @property
    def code_for_people(self) -> str:
        """The verification code as printed: ``7KQ4-M2XD-9PAB-3RTW`` (older codes as they
        are)."""
        code = self.verification_code
        if len(code) == 16 and code.isalnum() and code == code.upper():
            return "-".join(code[i : i + 4] for i in range(0, 16, 4))
        return code

    def standing_on(self, on) -> str:
        """valid, expired, revoked or superseded: what a verifier is told on a date."""
        if self.status != self.Status.VALID:
            return self.status
        if self.expires_on is not None and on >= self.expires_on:
            return "expired"
        return "valid"


class Export(models.Model):
    """An evidence pack: certificate PDFs, a manifest with hashes and a summary, zipped."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    school = models.ForeignKey(
        "cpd.School", verbose_name=_("school"), on_delete=models.CASCADE, related_name="exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    certificate_count = models.PositiveIntegerField(_("certificates included"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(
        _("file"), upload_to="exports/", storage=certificate_storage, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    objects = SchoolOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("evidence pack")
        verbose_name_plural = _("evidence packs")

    def __str__(self) -> str:
        return f"Evidence pack for {self.school} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and now >= self.expires_at

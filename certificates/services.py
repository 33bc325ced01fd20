"""Issuing, correcting and opening certificates. Each use case is one function the page
and the API both call; refusals are the product's own errors (``cpd.errors``) or a
``ValidationError`` naming the field."""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.models import Certificate
from certificates.permissions import (
    MAY_NOT_REISSUE,
    MAY_NOT_REVOKE,
    NOT_YOUR_OWN_CERTIFICATE,
    can_manage_certificate,
    can_see_certificate,
    manages_holders_school,
)
from certificates.rendering import certificate_render
from certificates.signals import certificate_issued, certificate_revoked
from certificates.tasks import certificate_email_task, certificate_render_task
from courses.models import Enrolment
from cpd.audit.services import audit_record
from cpd.conf import cpd_settings
from cpd.dates import add_months
from cpd.errors import NotAllowed, NotFound, Unavailable
from cpd.models import Membership
from cpd.queue import enqueue_after_commit
from cpd.signals import compliance_changed_after_commit

logger = logging.getLogger(__name__)


CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper is not
mistaken (``selectors.code_normalised`` reads I and L as 1, O as 0)."""


CODE_LENGTH = 16


def _verification_code() -> str:
    """Sixteen characters of Crockford's base 32: 80 random bits, printed as four groups of
    four, which a person can type from paper. Guessing is hopeless even for an attacker
    with a thousand addresses, each at the verify page's rate limit: a year of guessing
    against a million certificates finds one with odds of about 1 in 30 million."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _signatory(school) -> tuple[str, str]:
    """The school's DSL today (the longest-serving, if several), else its admin: by name
    and role as the certificate should print them."""
    found = (
        Membership.objects.filter(
            school=school, role__in=[Membership.Role.DSL, Membership.Role.SCHOOL_ADMIN]
        )
        .current(timezone.localdate())
        .select_related("user")
        .order_by("role", "started_on", "pk")  # "dsl" sorts before "school_admin"
        .first()
    )
    if found is None:
        return "", ""
    name = found.display_name  # as the school knows its DSL
    if found.role == Membership.Role.DSL:
        return name[:300], str(found.get_role_display())
    return name[:300], (found.job_title or found.get_role_display())[:200]


def certificate_issue(
    *, enrolment: Enrolment, score: int, actor=None, notify: bool = True
) -> Certificate:
    """Issue the certificate for a completed enrolment, or return the one already issued.

    The snapshot (name, school, course, dates, score) is copied now and never changes. The
    database allows one valid certificate per enrolment, so concurrent calls still give one.
    The PDF is rendered and (unless ``notify`` is off) the learner emailed after commit,
    through tasks."""
    existing = Certificate.objects.filter(enrolment=enrolment, status=Certificate.Status.VALID)
    if found := existing.first():
        return found
    membership = enrolment.membership
    version = enrolment.course_version
    user = membership.user
    issued_at = enrolment.completed_at or timezone.now()
    completed_on = timezone.localdate(issued_at)
    signatory_name, signatory_role = _signatory(membership.school)
    certificate = Certificate(
        enrolment=enrolment,
        membership=membership,
        course_id=version.course_id,
        verification_code=_verification_code(),
        holder_name=(user.get_full_name() or user.get_username())[:300],
        school_name=membership.school.name,
        course_title=version.title,
        course_version_number=version.number,
        reviewed_against=version.reviewed_against,
        cpd_minutes=version.cpd_minutes,
        score=score,
        completed_on=completed_on,
        expires_on=add_months(completed_on, version.validity_months)
        if version.validity_months
        else None,
        issued_at=issued_at,
        signatory_name=signatory_name,
        signatory_role=signatory_role,
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        return existing.get()
    _number(certificate)
    audit_record(
        actor=actor or user,
        action="certificates.certificate.issued",
        target=certificate,
        school=membership.school,
        data={"serial": certificate.serial, "course": version.course.slug, "score": score},
    )

    _after_issue(certificate, notify=notify)
    compliance_changed_after_commit(
        sender=Certificate, reason="certificate_issued", user_ids=[user.pk]
    )
    return certificate


def _number(certificate: Certificate) -> None:
    """Give a just-saved certificate its serial: prefix, year of issue, row number."""
    certificate.serial = (
        f"{cpd_settings.CERTIFICATE_SERIAL_PREFIX}-{certificate.issued_at.year}"
        f"-{certificate.pk:06d}"
    )
    Certificate.objects.filter(pk=certificate.pk).update(serial=certificate.serial)


def _after_issue(certificate: Certificate, *, notify: bool) -> None:
    """After commit: render the PDF and (if ``notify``) email the holder, through tasks,
    then tell listeners. A host's receiver that fails is logged by Django and never stops
    the others, nor undoes the issue."""

    enqueue_after_commit(certificate_render_task, certificate.pk)
    if notify:
        enqueue_after_commit(certificate_email_task, certificate.pk)
    transaction.on_commit(
        lambda: certificate_issued.send_robust(sender=Certificate, certificate=certificate)
    )


def _authorise(*, certificate: Certificate, actor, refusal: str) -> None:
    """``NotFound`` if the actor may not see the certificate at all, ``NotAllowed`` with
    ``refusal`` if they may see it but not correct it."""
    if can_manage_certificate(actor, certificate):
        return
    if certificate.membership.user_id == actor.pk and manages_holders_school(actor, certificate):
        raise NotAllowed(NOT_YOUR_OWN_CERTIFICATE)
    if can_see_certificate(actor, certificate):
        raise NotAllowed(refusal)
    raise NotFound(_("Not found, or not visible to you."))


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter the reason.")})
    return reason


def _lock_valid(certificate: Certificate) -> Certificate:
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.status != Certificate.Status.VALID:
        raise ValidationError(
            _("This certificate is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Withdraw a valid certificate: verification shows it as revoked from now on.

    Records the reason, who and when; the snapshot and the stored PDF stay as they were.
    Sends ``certificate_revoked`` after commit. Raises ``NotFound`` if the actor may not see
    the certificate, ``NotAllowed`` if they may see it but not revoke it (see
    ``certificates.permissions``), and ``ValidationError`` without a reason or when the
    certificate is no longer valid."""
    _authorise(certificate=certificate, actor=actor, refusal=str(MAY_NOT_REVOKE))
    reason = _clean_reason(reason)
    locked = _lock_valid(certificate)
    locked.status = Certificate.Status.REVOKED
    locked.revoked_reason = reason
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    audit_record(
        actor=actor,
        action="certificates.certificate.revoked",
        target=locked,
        school=locked.membership.school,
        data={"serial": locked.serial, "reason": reason},
    )
    transaction.on_commit(
        lambda: certificate_revoked.send_robust(
            sender=Certificate, certificate=locked, actor=actor, reason=reason
        )
    )
    compliance_changed_after_commit(
        sender=Certificate, reason="certificate_revoked", user_ids=[locked.membership.user_id]
    )
    return locked


@transaction.atomic
def certificate_reissue(
    *,
    certificate: Certificate,
    actor,
    reason: str,
    holder_name: str | None = None,
    name_correction: str = "",
    notify: bool = True,
) -> Certificate:
    """Replace a valid certificate with a corrected one (usually the holder's name).

    The old certificate becomes superseded (reason, who and when recorded); the new one
    copies its snapshot with the correction, gets a fresh serial, verification code and
    PDF, and points back at it through ``supersedes`` (``old.superseded_by`` is the new
    one). Audited as "certificates.certificate.reissued". Refused as ``certificate_revoke``
    is: ``NotFound``, ``NotAllowed`` (also for the holder themselves) or ``ValidationError``.

    The holder's name stays as it was unless it is the name the holder now gives on their
    own account, or the change is a correction with its reason (``name_correction``),
    recorded on the new certificate and in the audit trail, and shown on verification as
    "re-issued (name corrected)"."""
    _authorise(certificate=certificate, actor=actor, refusal=str(MAY_NOT_REISSUE))
    reason = _clean_reason(reason)
    holder_name = (holder_name or "").strip() or certificate.holder_name
    if len(holder_name) > 300:
        raise ValidationError({"holder_name": _("Enter a name of 300 characters or fewer.")})
    old = _lock_valid(certificate)
    name_correction = (name_correction or "").strip()
    if holder_name == certificate.holder_name:
        name_correction = ""
    elif not name_correction:
        user = certificate.membership.user
        if holder_name != (user.get_full_name() or user.get_username()):
            raise ValidationError(
                {
                    "name_correction": _(
                        "Say why the new name is correct: a certificate keeps its holder's "
                        "name unless the name is corrected, or the holder changed it on "
                        "their own account."
                    )
                }
            )
        name_correction = _("The holder changed the name on their own account.")
    now = timezone.now()
    old.status = Certificate.Status.SUPERSEDED
    old.revoked_reason = reason
    old.revoked_at = now
    old.revoked_by = actor
    old.save(update_fields=["status", "revoked_reason", "revoked_at", "revoked_by"])
    new = Certificate.objects.create(
        enrolment_id=old.enrolment_id,
        membership_id=old.membership_id,
        course_id=old.course_id,
        verification_code=_verification_code(),
        holder_name=holder_name,
        school_name=old.school_name,
        course_title=old.course_title,
        course_version_number=old.course_version_number,
        reviewed_against=old.reviewed_against,
        cpd_minutes=old.cpd_minutes,
        score=old.score,
        completed_on=old.completed_on,
        expires_on=old.expires_on,
        issued_at=now,
        signatory_name=old.signatory_name,
        signatory_role=old.signatory_role,
        supersedes=old,
        name_correction=name_correction,
    )
    _number(new)
    audit_record(
        actor=actor,
        action="certificates.certificate.reissued",
        target=new,
        school=old.membership.school,
        data={
            "serial": new.serial,
            "supersedes": old.serial,
            "reason": reason,
            "holder_name_changed": holder_name != old.holder_name,
            "name_correction": name_correction,
        },
    )
    _after_issue(new, notify=notify)
    return new


def certificate_pdf_open(*, certificate: Certificate, actor) -> File:
    """The certificate's stored PDF, opened for reading, for the holder or anyone who may
    see the certificate (``NotFound`` otherwise).

    If the render task has not run yet the PDF is rendered now, and that stored file is
    what every later open serves; if it cannot be stored now, ``Unavailable`` (503). A
    holder who has been anonymised has no PDF: it showed their name, so it was deleted and
    is never rendered again (``NotFound``, code ``anonymised``)."""
    if not can_see_certificate(actor, certificate):
        raise NotFound(_("Not found, or not visible to you."))
    if certificate.anonymised_at:
        raise NotFound(
            _("This certificate's file was removed when its holder was anonymised."),
            code="anonymised",
        )
    if not certificate.pdf:
        try:
            certificate = certificate_render(certificate=certificate)
        except Exception as exc:
            # Storage refusing writes: the render task keeps retrying; ask to come back.
            logger.warning("Could not store the PDF of %s: %r", certificate.serial, exc)
            raise Unavailable(
                _("Your certificate's PDF is still being made. Try again in a few minutes.")
            ) from exc
    return certificate.pdf.open("rb")


def certificate_pdf_repair(*, certificate: Certificate) -> bool:
    """Render the PDF of a valid certificate that has none (its render task finally
    failed), now. True if it is stored; a failure is logged and returns False, so the
    page asking (verification) still answers. Never for an anonymised holder."""
    if certificate.pdf:
        return True
    if certificate.anonymised_at or certificate.status != Certificate.Status.VALID:
        return False
    try:
        certificate_render(certificate=certificate)
    except Exception:
        logger.exception("Could not render the missing PDF of %s", certificate.serial)
        return False
    return True

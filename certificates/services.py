import hashlib
import secrets

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from certificates import pdf
from certificates.models import Certificate
from certificates.signals import certificate_issued
from courses.models import Enrolment
from cpd.conf import cpd_settings
from cpd.dates import add_months
from cpd.services import audit_record
from cpd.urls_absolute import absolute_url


def _verification_code() -> str:
    # 160 random bits, URL-safe: unguessable, short enough for a QR code.
    return secrets.token_urlsafe(20)


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
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        return existing.get()
    certificate.serial = (
        f"{cpd_settings.CERTIFICATE_SERIAL_PREFIX}-{issued_at.year}-{certificate.pk:06d}"
    )
    Certificate.objects.filter(pk=certificate.pk).update(serial=certificate.serial)
    audit_record(
        actor=actor or user,
        action="certificates.certificate.issued",
        target=certificate,
        school=membership.school,
        data={"serial": certificate.serial, "course": version.course.slug, "score": score},
    )

    def after_commit():
        from certificates.tasks import certificate_email, certificate_render

        certificate_render.enqueue(certificate.pk)
        if notify:
            certificate_email.enqueue(certificate.pk)
        certificate_issued.send(sender=Certificate, certificate=certificate)

    transaction.on_commit(after_commit)
    return certificate


def certificate_context(certificate: Certificate) -> dict:
    verify_url = absolute_url("certificates:verify", kwargs={"code": certificate.verification_code})
    school = certificate.membership.school
    return {
        "certificate": certificate,
        "verify_url": verify_url,
        "qr_code": pdf.qr_data_uri(verify_url),
        "logo_url": f"cpd-media:{school.logo.name}" if school.logo else "",
        "site_name": cpd_settings.SITE_NAME,
        "cpd_hours": f"{certificate.cpd_minutes / 60:.1f}".rstrip("0").rstrip("."),
    }


def certificate_render(*, certificate: Certificate) -> Certificate:
    """Render the PDF once and store it with its SHA-256. A second call, or a render racing
    another, leaves the first stored file in place: issued PDFs never change."""
    if certificate.pdf:
        return certificate
    context = certificate_context(certificate)
    fetcher = pdf.CertificateURLFetcher(
        media_names=frozenset({certificate.membership.school.logo.name} - {""})
    )
    data = pdf.render_pdf(pdf.certificate_html(context=context), fetcher=fetcher)
    digest = hashlib.sha256(data).hexdigest()
    storage = certificate.pdf.storage
    name = storage.save(
        certificate.pdf.field.generate_filename(certificate, f"{certificate.serial}.pdf"),
        ContentFile(data),
    )
    updated = Certificate.objects.filter(pk=certificate.pk, pdf="").update(
        pdf=name, pdf_sha256=digest
    )
    if not updated:
        storage.delete(name)
    certificate.refresh_from_db(fields=["pdf", "pdf_sha256"])
    return certificate


def certificate_email_send(*, certificate: Certificate) -> None:
    user = certificate.membership.user
    if not user.email:
        return
    context = {
        "certificate": certificate,
        "certificate_url": absolute_url(
            "certificates:detail", kwargs={"serial": certificate.serial}
        ),
        "site_name": cpd_settings.SITE_NAME,
        "user": user,
    }
    send_mail(
        subject=render_to_string("certificates/email/issued_subject.txt", context).strip(),
        message=render_to_string("certificates/email/issued_body.txt", context),
        from_email=cpd_settings.FROM_EMAIL or None,
        recipient_list=[user.email],
    )

"""What a certificate is turned into once issued: its PDF, rendered once from the snapshot
and stored with its SHA-256, and the email that tells the holder it is ready.

The background tasks call these (``certificates.tasks``), and so does opening a PDF whose
task has not run yet (``services.certificate_pdf_open``). This module imports no services
and no tasks, so that services can enqueue the tasks and the tasks can call this without
an import cycle."""

import hashlib

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from certificates import pdf
from certificates.models import Certificate
from cpd.conf import cpd_settings
from cpd.urls_absolute import absolute_url


def certificate_context(certificate: Certificate) -> dict:
    """What ``certificates/certificate.html`` is rendered with: the snapshot, never the
    live person, school or course (only the logo is read live, once, at issue)."""
    verify_url = absolute_url("certificates:verify", kwargs={"code": certificate.verification_code})
    school = certificate.membership.school
    return {
        "certificate": certificate,
        "verify_url": verify_url,
        "lookup_url": absolute_url("certificates:verify_lookup"),
        "qr_code": pdf.qr_data_uri(verify_url),
        "logo_url": f"cpd-media:{school.logo.name}" if school.logo else "",
        "site_name": cpd_settings.SITE_NAME,
        "cpd_hours": f"{certificate.cpd_minutes / 60:.1f}".rstrip("0").rstrip("."),
        # Long names and titles get a smaller size so the page never overflows.
        "long_name": len(certificate.holder_name) > 40,
        "long_title": len(certificate.course_title) > 90,
    }


def certificate_render(*, certificate: Certificate) -> Certificate:
    """Render the PDF once and store it with its SHA-256. A second call, or a render racing
    another, leaves the first stored file in place: issued PDFs never change."""
    if certificate.pdf:
        return certificate
    school = certificate.membership.school
    rendered = pdf.certificate_pdf(
        context=certificate_context(certificate), logo=school.logo or None
    )
    data = rendered.data
    digest = hashlib.sha256(data).hexdigest()
    storage = certificate.pdf.storage
    name = storage.save(
        certificate.pdf.field.generate_filename(certificate, f"{certificate.serial}.pdf"),
        ContentFile(data),
    )
    try:
        updated = Certificate.objects.filter(pk=certificate.pk, pdf="").update(
            pdf=name, pdf_sha256=digest
        )
    except Exception:
        # The database went away between storing and recording (a restart): remove the
        # file, so the retry's is the only one, then let the task fail and be retried.
        storage.delete(name)
        raise
    if not updated:
        storage.delete(name)
    certificate.refresh_from_db(fields=["pdf", "pdf_sha256"])
    return certificate


def certificate_email_send(*, certificate: Certificate) -> None:
    """Email the holder a link to their new certificate (nothing if they have no address),
    once: the certificate is marked emailed before sending, so a second run of the task
    sends nothing, and unmarked again if sending fails, so the retry sends it."""
    user = certificate.membership.user
    if not user.email:
        return
    if not Certificate.objects.filter(pk=certificate.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    ):
        return
    try:
        _send_issued_email(certificate, user)
    except Exception:
        Certificate.objects.filter(pk=certificate.pk).update(emailed_at=None)
        raise


def _send_issued_email(certificate: Certificate, user) -> None:
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

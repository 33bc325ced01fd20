"""Background work for certificates. Tasks take primitive ids, re-fetch, and hand over to
a service; a certificate that has gone is logged and skipped."""

import logging

from django.tasks import task

from certificates.models import Certificate
from certificates.services import certificate_email_send
from certificates.services import certificate_render as render

logger = logging.getLogger(__name__)


def _get(certificate_id: int) -> Certificate | None:
    certificate = (
        Certificate.objects.select_related("membership__school", "membership__user")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None:
        logger.warning("Certificate %s no longer exists", certificate_id)
    return certificate


@task
def certificate_render(certificate_id: int) -> None:
    if certificate := _get(certificate_id):
        render(certificate=certificate)


@task
def certificate_email(certificate_id: int) -> None:
    if certificate := _get(certificate_id):
        certificate_email_send(certificate=certificate)

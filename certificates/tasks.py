"""Background work for certificates. Tasks take primitive ids, re-fetch, and hand over to
the rendering services; a certificate that has gone is logged and skipped.

Services enqueue these after commit, so this module imports only models and
``certificates.rendering``, never ``certificates.services``: the imports run one way. Task
names end in ``_task`` so that none is mistaken for the service it calls."""

import logging

from django.tasks import task

from certificates.models import Certificate
from certificates.rendering import certificate_email_send, certificate_render

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
def certificate_render_task(certificate_id: int) -> None:
    if certificate := _get(certificate_id):
        certificate_render(certificate=certificate)


@task
def certificate_email_task(certificate_id: int) -> None:
    if certificate := _get(certificate_id):
        certificate_email_send(certificate=certificate)

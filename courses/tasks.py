"""Background work for courses. Tasks take primitive ids, re-fetch, and hand over."""

import logging
import time
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from courses import xapi
from courses.models import Attempt
from cpd.conf import cpd_settings

logger = logging.getLogger(__name__)


@task
def xapi_attempt_send_task(attempt_id: int, try_number: int = 1) -> bool:
    """Send a submitted attempt's xAPI statements, retrying with a doubling delay up to
    ``CPD_XAPI_ATTEMPTS`` tries. A backend that can defer runs each retry as a new task;
    the immediate backend retries in place. Returns whether the LRS took them."""
    if not xapi.xapi_enabled():
        return False
    attempt = (
        Attempt.objects.select_related(
            "enrolment__membership__user", "enrolment__course_version__course"
        )
        .filter(pk=attempt_id, submitted_at__isnull=False)
        .first()
    )
    if attempt is None:
        logger.warning("Attempt %s is gone or not submitted: no xAPI statement", attempt_id)
        return False
    statements = xapi.attempt_statements(attempt=attempt)
    while True:
        try:
            xapi.statements_post(statements)
            return True
        except xapi.LRSError as exc:
            if try_number >= cpd_settings.XAPI_ATTEMPTS:
                logger.error("xAPI for attempt %s failed %s times: %s", attempt_id, try_number, exc)
                return False
            delay = cpd_settings.XAPI_RETRY_DELAY * 2 ** (try_number - 1)
            logger.warning(
                "xAPI for attempt %s failed (%s); retrying in %ss", attempt_id, exc, delay
            )
            try_number += 1
            backend = xapi_attempt_send_task.get_backend()
            if backend.supports_defer:
                xapi_attempt_send_task.using(
                    run_after=timezone.now() + timedelta(seconds=delay)
                ).enqueue(attempt_id, try_number)
                return False
            time.sleep(delay)

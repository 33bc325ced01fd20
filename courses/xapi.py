"""Optional xAPI statements to a Learning Record Store: ``completed``, ``passed`` and
``failed`` for each submitted knowledge check. Off unless ``CPD_XAPI_ENDPOINT`` is set.

People are identified by an account (``CPD_XAPI_HOME_PAGE`` and an opaque id derived from
their user id with the site's secret key), never by email. Each statement has a stable id
(a UUID from the attempt and the verb), so a retry never records it twice: an LRS answers
a repeated id with 204 or 409 and keeps the first.

This module builds the statements and posts them; it knows nothing of tasks. Wiring runs
one way: ``attempt_submit`` (``courses.services``) enqueues
``courses.tasks.xapi_attempt_send_task`` after commit, and the task calls this module."""

import base64
import json
import logging
import urllib.error
import urllib.request
import uuid

from django.utils.crypto import salted_hmac

from courses.models import Attempt
from cpd.conf import cpd_settings
from cpd.urls_absolute import absolute_url

logger = logging.getLogger(__name__)

XAPI_VERSION = "1.0.3"
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
}
NAMESPACE = uuid.UUID("6b0b2c4e-8f5e-4d4c-9a57-2f7f3f2d9c11")


class LRSError(Exception):
    """The LRS could not be reached or refused a statement."""


def xapi_enabled() -> bool:
    return bool(cpd_settings.XAPI_ENDPOINT)


def actor_for(user) -> dict:
    home_page = cpd_settings.XAPI_HOME_PAGE or cpd_settings.BASE_URL or "https://localhost"
    name = salted_hmac("cpd.xapi.actor", str(user.pk), algorithm="sha256").hexdigest()[:32]
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": name}}


def attempt_statements(*, attempt: Attempt) -> list[dict]:
    """The statements for a submitted attempt: ``passed`` (and ``completed``, since a pass
    completes the course) or ``failed``."""
    enrolment = attempt.enrolment
    version = enrolment.course_version
    course = version.course
    verbs = ["passed", "completed"] if attempt.passed else ["failed"]
    activity = {
        "objectType": "Activity",
        "id": absolute_url("courses:course", kwargs={"slug": course.slug}),
        "definition": {
            "type": "http://adlnet.gov/expapi/activities/course",
            "name": {"en-GB": version.title},
        },
    }
    statements = []
    for verb in verbs:
        statements.append(
            {
                "id": str(uuid.uuid5(NAMESPACE, f"attempt:{attempt.pk}:{verb}")),
                "actor": actor_for(enrolment.membership.user),
                "verb": {"id": VERBS[verb], "display": {"en-GB": verb}},
                "object": activity,
                "result": {
                    "score": {
                        "scaled": round(attempt.score / 100, 4),
                        "raw": attempt.score,
                        "min": 0,
                        "max": 100,
                    },
                    "success": bool(attempt.passed),
                    "completion": bool(attempt.passed),
                },
                "context": {
                    "extensions": {
                        "https://safeguarding-cpd.org/xapi/course-version": version.number,
                        "https://safeguarding-cpd.org/xapi/attempt": attempt.number,
                    }
                },
                "timestamp": attempt.submitted_at.isoformat(),
            }
        )
    return statements


def statements_post(statements: list[dict]) -> None:
    """POST statements to the LRS once. Raises ``LRSError`` on any failure."""
    url = cpd_settings.XAPI_ENDPOINT.rstrip("/") + "/statements"
    request = urllib.request.Request(  # noqa: S310 - the URL is the configured LRS
        url,
        data=json.dumps(statements).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Experience-API-Version": XAPI_VERSION,
        },
    )
    if cpd_settings.XAPI_USERNAME:
        credentials = f"{cpd_settings.XAPI_USERNAME}:{cpd_settings.XAPI_PASSWORD}"
        request.add_header(
            "Authorization", "Basic " + base64.b64encode(credentials.encode()).decode()
        )
    try:
        with urllib.request.urlopen(request, timeout=cpd_settings.XAPI_TIMEOUT) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code == 409:  # already stored: these ids were sent before
            return
        raise LRSError(f"The LRS answered {exc.code}.") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise LRSError(f"The LRS could not be reached: {exc}") from exc

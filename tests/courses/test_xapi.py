"""xAPI statements against a stub Learning Record Store (an http.server in a thread)."""

import base64
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from courses import xapi
from courses.models import Attempt
from courses.tasks import xapi_attempt_send
from tests.factories import EnrolmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


class StubLRS:
    """Records each POST; answers with the queued status codes, then 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(body),
                    }
                )
                status = stub.statuses.pop(0) if stub.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"[]")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs(settings):
    with StubLRS() as stub:
        settings.CPD_XAPI_ENDPOINT = stub.url
        settings.CPD_XAPI_USERNAME = "cpd"
        settings.CPD_XAPI_PASSWORD = "secret"
        settings.CPD_XAPI_HOME_PAGE = "https://cpd.example.org"
        settings.CPD_XAPI_RETRY_DELAY = 0
        yield stub


def submitted_attempt(school, *, passed: bool, score: int) -> Attempt:
    membership = MembershipFactory(school=school, user__email="learner@oakwood.test")
    enrolment = EnrolmentFactory(
        membership=membership,
        course_version__course__slug="recognising-grooming",
        course_version__title="Recognising grooming",
        course_version__number=2,
    )
    started = timezone.now() - timedelta(minutes=10)
    attempt = Attempt.objects.create(enrolment=enrolment, number=1, served=[], started_at=started)
    attempt.score, attempt.passed = score, passed
    attempt.submitted_at = started + timedelta(minutes=5)
    attempt.save(update_fields=["score", "passed", "submitted_at"])
    return attempt


def test_xapi_passed_attempt_sends_passed_and_completed(school, lrs):
    attempt = submitted_attempt(school, passed=True, score=90)
    assert xapi_attempt_send.call(attempt.pk) is True
    [request] = lrs.requests
    assert request["path"] == "/xapi/statements"
    assert request["headers"]["x-experience-api-version"] == "1.0.3"
    assert (
        request["headers"]["authorization"] == "Basic " + base64.b64encode(b"cpd:secret").decode()
    )
    passed, completed = request["body"]
    user = attempt.enrolment.membership.user
    actor = {
        "objectType": "Agent",
        "account": {
            "homePage": "https://cpd.example.org",
            "name": xapi.actor_for(user)["account"]["name"],
        },
    }
    assert passed == {
        "id": passed["id"],
        "actor": actor,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-GB": "passed"}},
        "object": {
            "objectType": "Activity",
            "id": "https://cpd.example.org/courses/recognising-grooming/",
            "definition": {
                "type": "http://adlnet.gov/expapi/activities/course",
                "name": {"en-GB": "Recognising grooming"},
            },
        },
        "result": {
            "score": {"scaled": 0.9, "raw": 90, "min": 0, "max": 100},
            "success": True,
            "completion": True,
        },
        "context": {
            "extensions": {
                "https://safeguarding-cpd.org/xapi/course-version": 2,
                "https://safeguarding-cpd.org/xapi/attempt": 1,
            }
        },
        "timestamp": attempt.submitted_at.isoformat(),
    }
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    # Identified by an opaque account, never by email.
    text = json.dumps(request["body"])
    assert "learner@oakwood.test" not in text and "mbox" not in text
    assert len(actor["account"]["name"]) == 32
    # Stable ids: sending again sends the same statements, which an LRS keeps once.
    xapi_attempt_send.call(attempt.pk)
    assert [s["id"] for s in lrs.requests[1]["body"]] == [passed["id"], completed["id"]]


def test_xapi_failed_attempt_sends_failed(school, lrs):
    attempt = submitted_attempt(school, passed=False, score=40)
    xapi_attempt_send.call(attempt.pk)
    [statement] = lrs.requests[0]["body"]
    assert (statement["verb"]["display"], statement["result"]["success"]) == (
        {"en-GB": "failed"},
        False,
    )
    assert statement["result"]["score"]["scaled"] == 0.4


def test_xapi_retries_after_a_failure(school, lrs):
    attempt = submitted_attempt(school, passed=True, score=100)
    lrs.statuses = [503, 500]
    assert xapi_attempt_send.call(attempt.pk) is True
    assert len(lrs.requests) == 3
    assert lrs.requests[0]["body"] == lrs.requests[2]["body"]


def test_xapi_gives_up_after_the_configured_tries(school, lrs, settings, caplog):
    settings.CPD_XAPI_ATTEMPTS = 2
    attempt = submitted_attempt(school, passed=True, score=100)
    lrs.statuses = [500, 500, 500]
    assert xapi_attempt_send.call(attempt.pk) is False
    assert len(lrs.requests) == 2
    assert "failed 2 times" in caplog.text


def test_xapi_submission_enqueues_after_commit(school, lrs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submitted_attempt(school, passed=True, score=100)
    assert [len(r["body"]) for r in lrs.requests] == [2]


def test_xapi_nothing_sent_when_disabled(school, lrs, settings, django_capture_on_commit_callbacks):
    settings.CPD_XAPI_ENDPOINT = ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attempt = submitted_attempt(school, passed=True, score=100)
    assert callbacks == []
    assert xapi_attempt_send.call(attempt.pk) is False
    assert lrs.requests == []

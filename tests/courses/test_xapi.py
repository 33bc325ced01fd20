"""xAPI statements for attempts submitted through ``attempt_submit``, sent to a stub Learning
Record Store (an http.server in a thread): the only thing stood in for is the LRS at the
other end of the HTTP call."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from courses import xapi
from courses.models import Attempt, LessonProgress
from courses.services import attempt_start, attempt_submit
from courses.tasks import xapi_attempt_send_task
from tests.courses.test_assessment import answers_for
from tests.factories import (
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    MembershipFactory,
    ModuleFactory,
    QuestionFactory,
)

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


def submit(school, django_capture_on_commit_callbacks, *, correct: int, inner=True) -> Attempt:
    """A learner finishes the lessons, starts the knowledge check (two questions, pass mark
    60%) and submits it with ``correct`` questions answered rightly, through the services.
    What it enqueues after commit runs then (the immediate task backend), unless ``inner``
    is False: then the caller runs it."""
    version = CourseVersionFactory(
        course__slug="recognising-grooming",
        title="Recognising grooming",
        number=2,
        questions_per_attempt=2,
        pass_mark=60,
    )
    lesson = LessonFactory(module=ModuleFactory(version=version))
    for n in range(2):
        question = QuestionFactory(version=version, prompt=f"Question {n}?")
        for c in range(2):
            ChoiceFactory(question=question, text=f"Answer {n}.{c}", is_correct=c == 0)
    membership = MembershipFactory(school=school, user__email="learner@oakwood.test")
    enrolment = EnrolmentFactory(membership=membership, course_version=version)
    LessonProgress.objects.create(
        enrolment=enrolment, lesson=lesson, started_at=enrolment.started_at,
        completed_at=enrolment.started_at,
    )  # fmt: skip
    attempt = attempt_start(enrolment=enrolment)
    right, wrong = answers_for(attempt, correct=True), answers_for(attempt, correct=False)
    answers = {q: (right if n < correct else wrong)[q] for n, q in enumerate(right)}
    if not inner:
        return attempt_submit(attempt=attempt, answers=answers)
    with django_capture_on_commit_callbacks(execute=True):
        return attempt_submit(attempt=attempt, answers=answers)


def test_xapi_passed_attempt_sends_passed_and_completed(
    school, lrs, django_capture_on_commit_callbacks
):
    attempt = submit(school, django_capture_on_commit_callbacks, correct=2)
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
            "score": {"scaled": 1.0, "raw": 100, "min": 0, "max": 100},
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
    assert xapi_attempt_send_task.call(attempt.pk) is True
    assert [s["id"] for s in lrs.requests[1]["body"]] == [passed["id"], completed["id"]]


def test_xapi_failed_attempt_sends_failed(school, lrs, django_capture_on_commit_callbacks):
    submit(school, django_capture_on_commit_callbacks, correct=1)
    [request] = lrs.requests
    [statement] = request["body"]
    assert (statement["verb"]["display"], statement["result"]["success"]) == (
        {"en-GB": "failed"},
        False,
    )
    assert statement["result"]["score"] == {"scaled": 0.5, "raw": 50, "min": 0, "max": 100}


def test_xapi_retries_after_a_failure(school, lrs, django_capture_on_commit_callbacks):
    lrs.statuses = [503, 500]
    submit(school, django_capture_on_commit_callbacks, correct=2)
    assert len(lrs.requests) == 3
    assert lrs.requests[0]["body"] == lrs.requests[2]["body"]


def test_xapi_gives_up_after_the_configured_tries(
    school, lrs, settings, caplog, django_capture_on_commit_callbacks
):
    settings.CPD_XAPI_ATTEMPTS = 2
    lrs.statuses = [500, 500, 500]
    attempt = submit(school, django_capture_on_commit_callbacks, correct=2)
    assert len(lrs.requests) == 2
    assert f"xAPI for attempt {attempt.pk} failed 2 times" in caplog.text
    assert (attempt.score, attempt.passed) == (100, True)  # the LRS failing changes nothing


def test_xapi_statements_are_sent_after_commit(school, lrs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        submit(school, django_capture_on_commit_callbacks, correct=2, inner=False)
    # Submitted, but not committed: nothing has gone to the LRS yet.
    assert lrs.requests == []
    for callback in callbacks:
        callback()
    [request] = lrs.requests
    assert [s["verb"]["display"]["en-GB"] for s in request["body"]] == ["passed", "completed"]


def test_xapi_nothing_sent_when_disabled(school, lrs, settings, django_capture_on_commit_callbacks):
    settings.CPD_XAPI_ENDPOINT = ""
    attempt = submit(school, django_capture_on_commit_callbacks, correct=1)
    assert attempt.submitted_at is not None
    assert xapi_attempt_send_task.call(attempt.pk) is False
    assert lrs.requests == []


def test_xapi_unsubmitted_attempt_sends_nothing(school, lrs):
    enrolment = EnrolmentFactory(membership=MembershipFactory(school=school))
    attempt = Attempt.objects.create(
        enrolment=enrolment, number=1, served=[], started_at=enrolment.started_at
    )
    assert xapi_attempt_send_task.call(attempt.pk) is False
    assert lrs.requests == []

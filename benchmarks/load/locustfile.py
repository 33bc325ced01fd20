"""An INSET morning: staff across several schools sign in, read the induction course's
lessons, take the knowledge check and download their certificates, while each school's DSL
keeps the compliance dashboard open. Run by benchmarks/load/run.py (`make load`), which
seeds the accounts and writes their details to $LOAD_DATA.

User classes: ``StaffMember`` and ``Dsl`` for the INSET simulation; ``LessonReader`` and
``TrivialReader`` for the throughput baseline (each alone, with no wait between requests).
"""

import itertools
import json
import os
import re
from urllib.parse import urlencode

from locust import FastHttpUser, between, constant, task

DATA = json.load(open(os.environ["LOAD_DATA"]))  # noqa: SIM115
COURSE = DATA["course"]
LESSONS = DATA["lessons"]
ANSWERS = {int(k): v for k, v in DATA["answers"].items()}
_accounts = iter(DATA["staff"][:-16])  # the last 16 are the baseline's
_dsls = iter(DATA["dsls"] * 10)
_sessions = iter(DATA["baseline_sessions"] * 10)
_lesson_starts = itertools.count()

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A choice on a page: its field, the value this learner is offered it under, and its text.
OPTION = re.compile(r'name="(\w+)" value="([^"]*)"[^>]*>\s*<label[^>]*>([^<]*)</label>')
CERTIFICATE = re.compile(r'href="/certificates/([A-Z]+-\d{4}-\d+)/')


def csrf(response) -> str:
    match = CSRF.search(response.text or "")
    if not match:
        raise AssertionError(f"no CSRF token on {response.url}")
    return match.group(1)


class SignedIn(FastHttpUser):
    abstract = True

    def sign_in(self, email: str) -> None:
        page = self.client.get("/accounts/login/", name="sign in (form)")
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": csrf(page),
                "login": email,
                "password": DATA["password"],
            },
            name="sign in",
            catch_response=True,
        ) as response:
            if 'name="password"' in (response.text or ""):
                response.failure(f"sign-in refused for {email}")

    def sign_out(self) -> None:
        page = self.client.get("/training/", name="my training")
        self.client.post(
            "/accounts/logout/", data={"csrfmiddlewaretoken": csrf(page)}, name="sign out"
        )


class StaffMember(SignedIn):
    """One member of staff after another: each completes the course, then hands over."""

    weight = 10
    wait_time = between(1, 3)  # reading time, compressed

    @task
    def complete_the_course(self) -> None:
        email = next(_accounts)["email"]
        self.sign_in(email)
        self.client.get("/training/", name="my training")
        course = self.client.get(f"/courses/{COURSE}/", name="course")
        self.client.post(
            f"/courses/{COURSE}/start/", data={"csrfmiddlewaretoken": csrf(course)}, name="enrol"
        )
        for lesson in LESSONS:
            url = f"/courses/{COURSE}/lessons/{lesson['slug']}/"
            page = self.client.get(url, name="lesson")
            data = {"csrfmiddlewaretoken": csrf(page)}
            if lesson["kind"] == "scenario":
                data["choice"] = next(
                    value
                    for _name, value, text in OPTION.findall(page.text or "")
                    if text == lesson["choice"]
                )
            self.client.post(url, data=data, name="lesson: done")
            self.wait()
        course = self.client.get(f"/courses/{COURSE}/", name="course")
        self.client.post(
            f"/courses/{COURSE}/check/",
            data={"csrfmiddlewaretoken": csrf(course)},
            name="knowledge check (start)",
        )
        attempt = self.client.get(f"/courses/{COURSE}/check/1/", name="knowledge check")
        fields = [("csrfmiddlewaretoken", csrf(attempt))]
        for name, value, text in OPTION.findall(attempt.text or ""):
            if name.startswith("q") and text in ANSWERS[int(name[1:])]:
                fields.append((name, value))
        self.wait()
        with self.client.post(
            f"/courses/{COURSE}/check/1/",
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            name="knowledge check (submit)",
            catch_response=True,
        ) as result:
            match = CERTIFICATE.search(result.text or "")
            if not match:
                result.failure(f"{email} did not pass")
                return
        serial = match.group(1)
        self.wait()
        self.client.get(f"/certificates/{serial}/", name="certificate")
        with self.client.get(
            f"/certificates/{serial}/pdf/", name="certificate PDF", catch_response=True
        ) as pdf:
            if not (pdf.content or b"").startswith(b"%PDF-"):
                pdf.failure("not a PDF")
        self.sign_out()


class Dsl(SignedIn):
    """A designated safeguarding lead watching the morning's progress."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self) -> None:
        dsl = next(_dsls)
        self.school = dsl["school"]
        self.sign_in(dsl["email"])

    @task(5)
    def compliance(self) -> None:
        self.client.get(f"/schools/{self.school}/compliance/", name="compliance dashboard")

    @task(1)
    def knowledge_gaps(self) -> None:
        self.client.get(f"/schools/{self.school}/knowledge-gaps/", name="knowledge gaps")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")


class LessonReader(FastHttpUser):
    """Baseline phase: the lesson page, as fast as it will go, for staff already signed in
    and enrolled (sessions made by the seed, so password hashing is not what is measured).
    Each reader goes round the course's lessons in order, starting at its own, so every
    round serves the course's own mix of reading and scenario lessons (a scenario's form
    costs more) rather than a random draw of them."""

    wait_time = constant(0)

    def on_start(self) -> None:
        session = next(_sessions)
        start = next(_lesson_starts) % len(LESSONS)
        self.urls = itertools.cycle(
            f"/courses/{COURSE}/lessons/{lesson['slug']}/"
            for lesson in LESSONS[start:] + LESSONS[:start]
        )
        # Like a browser, send back the CSRF cookie the first page sets; without it every
        # page would make and set a new one.
        self.client.get(
            f"/courses/{COURSE}/",
            headers={"Cookie": f"sessionid={session}"},
            name="course (baseline, first)",
        )
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), None)
        if not token:
            raise AssertionError("no CSRF cookie from the course page")
        self.cookie = {"Cookie": f"sessionid={session}; csrftoken={token}"}

    @task
    def lesson(self) -> None:
        with self.client.get(
            next(self.urls), headers=self.cookie, name="lesson (baseline)", catch_response=True
        ) as response:
            if 'class="lesson' not in (response.text or ""):
                response.failure("not the lesson page")


class TrivialReader(FastHttpUser):
    """Baseline phase: a view that returns "ok", through the same middleware and server."""

    wait_time = constant(0)

    @task
    def trivial(self) -> None:
        self.client.get("/bench/trivial/", name="trivial view")

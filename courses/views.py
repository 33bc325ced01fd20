"""The learner's pages. Each use case is the same selector or service the API calls
(``courses.api.views``); a page differs only in reading a form and rendering a template.

Errors: a ``NotFound`` from a selector is a 404 here as in the API. A refusal is a 400 here
as in the API: a form sent without what the rules ask for (a scenario's response, the
acknowledgement's tick, an answer to every question, the school) is shown again with its
errors, and a service's ``LearningError`` (a ``Refused``) raised past the view is Django's
400. The exceptions are refusals the learner's journey shows on the page they go back to
(starting the knowledge check too early, starting again, an attempt submitted twice):
those redirect there with the message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import review, selectors, services, statistics
from courses.forms import AcknowledgementForm, AttemptForm, EnrolForm, ScenarioForm
from courses.models import Enrolment, Lesson
from courses.rendering import render_markdown
from cpd.arrangements.placeholders import fill, has_placeholder
from cpd.arrangements.selectors import sheets_for_user
from cpd.people.selectors import memberships_of


def _posted(request):
    """The POST data to bind a form to, even when empty (an empty submission still gets
    its errors shown), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _learner_state(request, slug):
    course = selectors.course_for_learner(slug=slug)
    enrolment = selectors.learner_enrolment(user=request.user, course=course)
    version = selectors.version_for_learner(course=course, enrolment=enrolment)
    return course, enrolment, version


def _active_enrolment(request, slug):
    """The learner's enrolment in progress on this course (one query), or None; a course
    that does not exist is a 404."""
    enrolment = selectors.enrolment_in_progress(user=request.user, course_slug=slug)
    if enrolment is None:
        return selectors.course_for_learner(slug=slug), None
    return enrolment.course_version.course, enrolment


def _course_page(request, slug: str, *, enrol_form=None, status: int = 200):
    course, enrolment, version = _learner_state(request, slug)
    in_progress = enrolment if enrolment and enrolment.status == "in_progress" else None
    outline = selectors.course_outline(version=version, enrolment=in_progress)
    if enrol_form is None:
        memberships = list(memberships_of(user=request.user, on=timezone.localdate()))
        enrol_form = EnrolForm(memberships=memberships) if memberships else None
    attempts = list(in_progress.attempts.order_by("number")) if in_progress else []
    review = selectors.content_reviews(versions=[version], today=timezone.localdate())
    certificate = None
    if enrolment and enrolment.status == Enrolment.Status.COMPLETED:
        certificate = enrolment.certificates.filter(status="valid").first()
    # The wait before the next attempt, said before the button rather than after it.
    submitted = [a for a in attempts if a.submitted_at is not None]
    retry_at = submitted[-1].submitted_at + version.retry_cooldown if submitted else None
    return render(
        request,
        "courses/course_detail.html",
        {
            "course": course,
            "version": version,
            "enrolment": enrolment,
            "outline": outline,
            "attempts": attempts,
            "attempts_left": version.max_attempts - len(attempts),
            "enrol_form": enrol_form,
            "certificate": certificate,
            "content_review": review.get(version.pk),
            "retry_at": retry_at,
            "waiting": retry_at is not None and timezone.now() < retry_at,
            "cooldown_minutes": int(version.retry_cooldown.total_seconds() // 60),
        },
        status=status,
    )


@login_required
def course_detail(request, slug: str):
    return _course_page(request, slug)


@login_required
@require_POST
def enrol(request, slug: str):
    """Start the course, or resume it (``course_enrol``, as the API does)."""
    course = selectors.course_for_learner(slug=slug)
    today = timezone.localdate()
    memberships = list(memberships_of(user=request.user, on=today))
    school_slug = None
    if memberships:  # else the service refuses: not a member of a school
        form = EnrolForm(request.POST, memberships=memberships)
        if not form.is_valid():
            return _course_page(request, slug, enrol_form=form, status=400)
        school_slug = form.cleaned_data["school"]
    enrolment = services.course_enrol(
        user=request.user, course=course, school_slug=school_slug, on=today
    )
    outline = selectors.course_outline(version=enrolment.course_version, enrolment=enrolment)
    if outline.next_lesson is None:
        return redirect("courses:course", slug=slug)
    return redirect("courses:lesson", slug=slug, lesson=outline.next_lesson.slug)


@login_required
@require_POST
def restart(request, slug: str):
    course, enrolment = _active_enrolment(request, slug)
    if enrolment is None:
        return redirect("courses:course", slug=slug)
    try:
        services.enrolment_restart(enrolment=enrolment)
    except services.LearningError as exc:
        messages.error(request, str(exc))
    return redirect("courses:course", slug=slug)


def _lesson_body(user, text: str):
    """The lesson's HTML, its placeholders filled with the learner's schools' values (two
    queries, only for a lesson that has a placeholder)."""
    html = render_markdown(text)
    if not has_placeholder(text):
        return html
    return fill(html, sheets_for_user(user=user, on=timezone.localdate()))


@login_required
def lesson(request, slug: str, lesson: str):
    outline = selectors.lesson_player(user=request.user, course_slug=slug)
    if outline is None:
        selectors.course_for_learner(slug=slug)  # 404 for a course that does not exist
        reference = selectors.lesson_reference(user=request.user, course_slug=slug)
        if reference is not None:
            return _reference_lesson(request, slug, lesson, reference)
        messages.info(request, _("Start the course to open its lessons."))
        return redirect("courses:course", slug=slug)
    enrolment = outline.enrolment
    entries = outline.lessons
    index, entry = selectors.outline_entry(outline=outline, slug=lesson)
    current = entry.lesson
    previous = entries[index - 1].lesson if index > 0 else None
    following = entries[index + 1].lesson if index + 1 < len(entries) else None
    next_url = (
        reverse("courses:lesson", kwargs={"slug": slug, "lesson": following.slug})
        if following
        else reverse("courses:course", kwargs={"slug": slug})
    )
    scenario_form = ack_form = chosen = None
    if current.kind == Lesson.Kind.SCENARIO:
        scenario_form = form = ScenarioForm(_posted(request), lesson=current, choices=entry.choices)
        chosen = next((c for c in entry.choices if c.pk == entry.scenario_choice_id), None)
    elif current.kind == Lesson.Kind.ACKNOWLEDGEMENT:
        ack_form = form = AcknowledgementForm(_posted(request), lesson=current)
    else:
        form = None

    if request.method == "POST" and (form is None or form.is_valid()):
        # The service's refusal is a 400, as in the API.
        services.lesson_finish(
            enrolment=enrolment,
            lesson=current,
            choice=form.cleaned_data["choice"] if scenario_form else None,
            confirmed=ack_form is not None,
            document=ack_form.document if ack_form else None,
        )
        if scenario_form:
            return redirect(request.path + "#feedback")
        return redirect(next_url)

    return render(
        request,
        "courses/lesson.html",
        {
            "course_slug": slug,
            "enrolment": enrolment,
            "outline": outline,
            "lesson": current,
            "body": _lesson_body(request.user, current.body),
            "position": index + 1,
            "previous": previous,
            "following": following,
            "next_url": next_url,
            "done": entry.done,
            "scenario_form": scenario_form,
            "ack_form": ack_form,
            "chosen": chosen,
            "scenario_choices": entry.choices if chosen else [],
        },
        # A form sent without what the lesson asks for is shown again, refused as in the API.
        status=400 if request.method == "POST" else 200,
    )


def _reference_lesson(request, slug: str, lesson: str, outline):
    """A lesson of a course the learner has passed, read as a reference: no forms, and
    nothing recorded (a POST is answered with the page again)."""
    if request.method == "POST":
        return redirect(request.path)
    entries = outline.lessons
    index, entry = selectors.outline_entry(outline=outline, slug=lesson)
    previous = entries[index - 1].lesson if index > 0 else None
    following = entries[index + 1].lesson if index + 1 < len(entries) else None
    next_url = (
        reverse("courses:lesson", kwargs={"slug": slug, "lesson": following.slug})
        if following
        else reverse("courses:course", kwargs={"slug": slug})
    )
    return render(
        request,
        "courses/lesson.html",
        {
            "course_slug": slug,
            "enrolment": outline.enrolment,
            "outline": outline,
            "lesson": entry.lesson,
            "body": render_markdown(entry.lesson.body),
            "position": index + 1,
            "previous": previous,
            "following": following,
            "next_url": next_url,
            "done": True,
            "reference": True,
            "scenario_choices": entry.choices,
        },
    )


@login_required
def what_to_do(request, slug: str):
    """The course's "What to do" steps on one page, from its lessons (the version the
    learner is taking or last took, else the latest)."""
    course, enrolment, version = _learner_state(request, slug)
    if enrolment is not None and enrolment.status == Enrolment.Status.COMPLETED:
        version = enrolment.course_version
    steps = [
        (item.lesson, render_markdown(item.steps)) for item in selectors.what_to_do(version=version)
    ]
    return render(
        request,
        "courses/what_to_do.html",
        {"course": course, "version": version, "steps": steps},
    )


@login_required
@require_POST
def assessment_start(request, slug: str):
    course, enrolment = _active_enrolment(request, slug)
    if enrolment is None:
        return redirect("courses:course", slug=slug)
    try:
        attempt = services.attempt_start(enrolment=enrolment)
    except services.LearningError as exc:
        messages.error(request, str(exc))
        return redirect("courses:course", slug=slug)
    return redirect("courses:attempt", slug=slug, number=attempt.number)


@login_required
def attempt(request, slug: str, number: int):
    attempt = review.learner_attempt(user=request.user, course_slug=slug, number=number)
    if attempt.submitted_at is not None:
        return redirect("courses:attempt_result", slug=slug, number=number)
    served = review.attempt_review(attempt=attempt)
    form = AttemptForm(_posted(request), questions=served.questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.attempt_submit(attempt=attempt, answers=form.answers())
        except services.LearningError as exc:
            # Most often submitted already, from another tab: its result is next.
            messages.error(request, str(exc))
        return redirect("courses:attempt_result", slug=slug, number=number)
    return render(
        request,
        "courses/attempt.html",
        {
            "course": attempt.enrolment.course_version.course,
            "attempt": attempt,
            "form": form,
            "version": attempt.enrolment.course_version,
        },
        # Answers sent with a question left out are shown again, refused as in the API.
        status=400 if request.method == "POST" else 200,
    )


@login_required
def attempt_result(request, slug: str, number: int):
    attempt = review.learner_attempt(user=request.user, course_slug=slug, number=number)
    if attempt.submitted_at is None:
        return redirect("courses:attempt", slug=slug, number=number)
    enrolment = attempt.enrolment
    version = enrolment.course_version
    certificate = enrolment.certificates.filter(status="valid").first() if attempt.passed else None
    return render(
        request,
        "courses/attempt_result.html",
        {
            "course": version.course,
            "attempt": attempt,
            "version": version,
            "review": review.attempt_review(attempt=attempt).review,
            "certificate": certificate,
            "attempts_left": version.max_attempts - enrolment.attempts.count(),
            "retry_at": attempt.submitted_at + version.retry_cooldown,
        },
    )


@login_required
def statistics_courses(request):
    """The courses a content reviewer can see item statistics for."""
    statistics.reviewer_trust_ids(request.user)
    return render(
        request,
        "courses/statistics_courses.html",
        {"courses": selectors.published_courses()},
    )


@login_required
def item_statistics(request, slug: str):
    number = request.GET.get("version")
    found = statistics.version_statistics(
        user=request.user,
        slug=slug,
        number=int(number) if number and number.isdigit() else None,
    )
    return render(request, "courses/statistics.html", {"stats": found})

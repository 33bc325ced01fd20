from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses import selectors, services
from courses.forms import AcknowledgementForm, AttemptForm, EnrolForm, ScenarioForm
from courses.models import Enrolment, Lesson, Question
from courses.rendering import render_markdown
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


@login_required
def course_detail(request, slug: str):
    course, enrolment, version = _learner_state(request, slug)
    in_progress = enrolment if enrolment and enrolment.status == "in_progress" else None
    outline = selectors.course_outline(version=version, enrolment=in_progress)
    memberships = list(memberships_of(user=request.user, on=timezone.localdate()))
    attempts = list(in_progress.attempts.order_by("number")) if in_progress else []
    certificate = None
    if enrolment and enrolment.status == Enrolment.Status.COMPLETED:
        certificate = enrolment.certificates.filter(status="valid").first()
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
            "enrol_form": EnrolForm(memberships=memberships) if memberships else None,
            "certificate": certificate,
        },
    )


@login_required
@require_POST
def enrol(request, slug: str):
    course, enrolment, version = _learner_state(request, slug)
    memberships = list(memberships_of(user=request.user, on=timezone.localdate()))
    if not memberships:
        raise Http404("You are not a member of a school.")
    form = EnrolForm(request.POST, memberships=memberships)
    if not form.is_valid():
        messages.error(request, form.errors["membership"][0])
        return redirect("courses:course", slug=slug)
    latest = selectors.version_for_learner(course=course, enrolment=None)
    enrolment = services.enrolment_start(
        membership=form.cleaned_data["membership"], course_version=latest
    )
    first = enrolment.course_version.lessons.order_by("position").first()
    return redirect("courses:lesson", slug=slug, lesson=first.slug)


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


@login_required
def lesson(request, slug: str, lesson: str):
    outline = selectors.lesson_player(user=request.user, course_slug=slug)
    if outline is None:
        selectors.course_for_learner(slug=slug)  # 404 for a course that does not exist
        messages.info(request, _("Start the course to open its lessons."))
        return redirect("courses:course", slug=slug)
    enrolment = outline.enrolment
    entries = outline.lessons
    index = next((i for i, e in enumerate(entries) if e.lesson.slug == lesson), None)
    if index is None:
        raise Http404("No such lesson in this course.")
    current = entries[index].lesson
    previous = entries[index - 1].lesson if index > 0 else None
    following = entries[index + 1].lesson if index + 1 < len(entries) else None
    next_url = (
        reverse("courses:lesson", kwargs={"slug": slug, "lesson": following.slug})
        if following
        else reverse("courses:course", kwargs={"slug": slug})
    )
    scenario_form = ack_form = chosen = None
    if current.kind == Lesson.Kind.SCENARIO:
        scenario_form = ScenarioForm(_posted(request), lesson=current)
        chosen = next(
            (c for c in current.choices.all() if c.pk == entries[index].scenario_choice_id),
            None,
        )
    elif current.kind == Lesson.Kind.ACKNOWLEDGEMENT:
        ack_form = AcknowledgementForm(_posted(request), lesson=current)

    if request.method == "POST":
        try:
            if current.kind == Lesson.Kind.SCENARIO:
                if scenario_form.is_valid():
                    services.scenario_respond(
                        enrolment=enrolment,
                        lesson=current,
                        choice_id=scenario_form.cleaned_data["choice"],
                    )
                    return redirect(request.path + "#feedback")
            elif current.kind == Lesson.Kind.ACKNOWLEDGEMENT:
                if ack_form.is_valid():
                    services.acknowledgement_record(enrolment=enrolment, lesson=current)
                    return redirect(next_url)
            else:
                services.lesson_complete(enrolment=enrolment, lesson=current)
                return redirect(next_url)
        except services.LearningError as exc:
            messages.error(request, str(exc))
            return redirect(request.path)

    return render(
        request,
        "courses/lesson.html",
        {
            "course_slug": slug,
            "enrolment": enrolment,
            "outline": outline,
            "lesson": current,
            "body": render_markdown(current.body),
            "position": index + 1,
            "previous": previous,
            "following": following,
            "next_url": next_url,
            "done": entries[index].done,
            "scenario_form": scenario_form,
            "ack_form": ack_form,
            "chosen": chosen,
            "scenario_choices": list(current.choices.all()) if chosen else [],
        },
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


def _attempt_for(request, slug, number):
    course = selectors.course_for_learner(slug=slug)
    enrolment = selectors.learner_enrolment(user=request.user, course=course)
    if enrolment is None:
        raise Http404("No such attempt.")
    attempt = get_object_or_404(enrolment.attempts, number=number)
    return course, enrolment, attempt


@login_required
def attempt(request, slug: str, number: int):
    course, enrolment, attempt = _attempt_for(request, slug, number)
    if attempt.submitted_at is not None:
        return redirect("courses:attempt_result", slug=slug, number=number)
    served_ids = [item["question"] for item in attempt.served]
    questions = {
        q.pk: q for q in Question.objects.filter(pk__in=served_ids).prefetch_related("choices")
    }
    form = AttemptForm(_posted(request), attempt=attempt, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.attempt_submit(attempt=attempt, answers=form.answers())
        except services.LearningError as exc:
            messages.error(request, str(exc))
        return redirect("courses:attempt_result", slug=slug, number=number)
    return render(
        request,
        "courses/attempt.html",
        {"course": course, "attempt": attempt, "form": form, "version": enrolment.course_version},
    )


@login_required
def attempt_result(request, slug: str, number: int):
    course, enrolment, attempt = _attempt_for(request, slug, number)
    if attempt.submitted_at is None:
        return redirect("courses:attempt", slug=slug, number=number)
    version = enrolment.course_version
    answers = {
        a.question_id: a
        for a in attempt.answers.select_related("question").prefetch_related(
            "choices", "question__choices"
        )
    }
    review = []
    for item in attempt.served:
        answer = answers.get(item["question"])
        if answer is None:
            continue
        by_id = {c.pk: c for c in answer.question.choices.all()}
        chosen = {c.pk for c in answer.choices.all()}
        review.append(
            {
                "question": answer.question,
                "correct": answer.correct,
                "choices": [(by_id[pk], pk in chosen) for pk in item["choices"]],
            }
        )
    certificate = (
        attempt.enrolment.certificates.filter(status="valid").first() if attempt.passed else None
    )
    attempts_used = enrolment.attempts.count()
    return render(
        request,
        "courses/attempt_result.html",
        {
            "course": course,
            "attempt": attempt,
            "version": version,
            "review": review,
            "reveal": version.reveal_answers,
            "certificate": certificate,
            "attempts_left": version.max_attempts - attempts_used,
            "retry_at": attempt.submitted_at + version.retry_cooldown,
        },
    )

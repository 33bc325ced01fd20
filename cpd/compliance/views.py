from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from certificates.selectors import certificates_missing_pdf
from courses.selectors import content_reviews_due
from cpd import spreadsheets
from cpd.arrangements.policies import school_todos
from cpd.compliance import selectors
from cpd.compliance.bulletins.selectors import bulletins_to_read
from cpd.compliance.dashboards import (
    MatrixFilters,
    matrix_lines,
    people_summary,
    requirement_summaries,
    trust_summary,
)
from cpd.compliance.engine import UP_TO_DATE, URGENCY
from cpd.compliance.forms import MatrixFilterForm, OverrideForm
from cpd.compliance.home import home_for
from cpd.compliance.reminders import services as reminders
from cpd.compliance.selectors import (
    compliance_matrix,
    cpd_record,
    member_for_compliance,
    rule_for_course,
    school_rules,
    training_plan,
    trust_for_admin,
    trusts_of,
)
from cpd.compliance.services import OVERRIDABLE, requirement_override, requirement_override_remove
from cpd.dates import school_today
from cpd.people.selectors import invitations_of, schools_led_by
from cpd.permissions import Permission
from cpd.privacy import services as privacy
from cpd.tenancy import school_view

STAFF_PER_PAGE = 50


def home(request):
    """For someone signed in, what to do next (``cpd.compliance.home``); a trust admin who
    belongs to no school lands on their trust's overview. Anyone else: the landing page."""
    if not request.user.is_authenticated:
        return render(request, "cpd/home.html")
    page = home_for(user=request.user, on=timezone.localdate())
    if not page.training.memberships and len(page.trusts) == 1:
        return redirect("cpd:trust", slug=page.trusts[0].slug)
    return render(request, "cpd/home.html", {"home": page})


@login_required
def schools(request):
    """The school switcher: a list to choose from (it stays one control for a trust of
    fifty schools), opening the chosen school's compliance page."""
    choices = list(schools_led_by(user=request.user))
    chosen = request.GET.get("school")
    error = None
    if chosen is not None:
        if chosen in {school.slug for school in choices}:
            return redirect("cpd:compliance", slug=chosen)
        error = _("Choose a school from the list.")
    return render(
        request,
        "cpd/schools.html",
        {"schools": choices, "error": error, "chosen": chosen},
        status=400 if error else 200,
    )


def _matrix_and_filters(request, school):
    matrix = compliance_matrix(school=school, on=school_today(school))
    form = MatrixFilterForm(request.GET or None, requirements=matrix.requirements)
    filters = form.filters() if request.GET else MatrixFilters()
    columns = [r for r in matrix.requirements if not filters.course or r.topic == filters.course]
    lines = matrix_lines(matrix=matrix, filters=filters)
    return school, matrix, form, columns, lines


@school_view(Permission.VIEW_COMPLIANCE)
def compliance(request, school):
    school, matrix, form, columns, lines = _matrix_and_filters(request, school)
    page = Paginator(lines, STAFF_PER_PAGE).get_page(request.GET.get("page"))
    reminded = reminders.last_reminded(membership_ids=[line.membership.pk for line in page])
    for line in page:
        line.last_reminded = reminded.get(line.membership.pk)
        line.labelled = list(zip(columns, line.cells, strict=True))
    people = people_summary(matrix=matrix)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cpd/compliance.html",
        {
            "school": school,
            "matrix": matrix,
            "form": form,
            "columns": columns,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k not in {"page", "sort"}),
            "summaries": requirement_summaries(matrix=matrix),
            "people": people,
            "tiles": [
                (status, status.label, count) for status, count in people.by_worst.items() if count
            ],
            "todo": school_todos(schools=[school], on=matrix.on)[school.pk],
            "can_arrange": request.school_access.allows(Permission.MANAGE_ARRANGEMENTS),
            "counts": [(status, status.label, count) for status, count in matrix.counts.items()],
            "reviews_due": content_reviews_due(
                course_ids={r.course_id for r in matrix.requirements}, today=matrix.on
            ),
            "missing_pdfs": list(certificates_missing_pdf(school=school)[:20]),
        },
    )


@school_view(Permission.VIEW_COMPLIANCE)
def compliance_download(request, school, fmt: str):
    school, matrix, form, columns, lines = _matrix_and_filters(request, school)
    header, rows = spreadsheets.matrix_table(lines=lines, requirements=columns)
    name = f"{slugify(school.name)}-compliance-{matrix.on.isoformat()}"
    if fmt == "csv":
        body, content_type = spreadsheets.as_csv(header, rows), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = spreadsheets.as_xlsx(header, rows, title="Compliance")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("Unknown format.")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@school_view(Permission.VIEW_COMPLIANCE)
def person(request, school, pk: int):
    membership = member_for_compliance(school=school, pk=pk)
    record = cpd_record(membership=membership, on=school_today(school))
    return render(
        request,
        "cpd/person.html",
        {
            "school": school,
            "record": record,
            "can_export": request.school_access.allows(Permission.MANAGE_STAFF),
        },
    )


@school_view(Permission.MANAGE_STAFF)
@require_POST
def person_export(request, school, pk: int):
    """Everything the school holds about one person, for a subject access request. School
    admins only: it includes the person's answers and files."""
    membership = member_for_compliance(school=school, pk=pk)
    data = privacy.subject_access_export(user=membership.user, actor=request.user, school=school)
    response = HttpResponse(data, content_type="application/zip")
    name = slugify(membership.full_name or f"person-{membership.pk}")
    response["Content-Disposition"] = f'attachment; filename="{name}-{school.slug}-data.zip"'
    return response


@school_view(Permission.VIEW_COMPLIANCE)
@require_POST
def nudge(request, school, pk: int):
    membership = member_for_compliance(school=school, pk=pk)
    try:
        reminders.nudge_send(
            school=school, membership=membership, sender=request.user, on=school_today(school)
        )
    except reminders.NudgeRefused as exc:
        messages.warning(request, str(exc))
    else:
        name = membership.display_name
        messages.success(request, _("Reminder sent to %(name)s.") % {"name": name})
    if _safe_next(request):
        return redirect(request.POST["next"])
    return redirect("cpd:person", slug=school.slug, pk=membership.pk)


@school_view(Permission.VIEW_COMPLIANCE)
@require_POST
def remind_overdue(request, school):
    done = reminders.overdue_remind_all(school=school, sender=request.user, on=school_today(school))
    if done.sent:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(n)d member of staff with overdue training.",
                "Reminders sent to %(n)d members of staff with overdue training.",
                done.sent,
            )
            % {"n": done.sent},
        )
    else:
        messages.info(request, _("Everyone with overdue training has been reminded today already."))
    return redirect(reverse("cpd:compliance", kwargs={"slug": school.slug}) + "#staff")


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@school_view(Permission.VIEW_COMPLIANCE)
def knowledge_gaps(request, school):
    return render(
        request,
        "cpd/knowledge_gaps.html",
        {"school": school, "gaps": selectors.knowledge_gaps(school=school)},
    )


@login_required
def trust(request, slug: str):
    trust = trust_for_admin(user=request.user, slug=slug)
    summaries = trust_summary(trust=trust, on=timezone.localdate())
    totals = {status: sum(s.counts[status] for s in summaries) for status in URGENCY}
    all_rows = sum(s.total for s in summaries)
    up_to_date = sum(totals[s] for s in UP_TO_DATE)
    return render(
        request,
        "cpd/trust.html",
        {
            "trust": trust,
            "summaries": summaries,
            "statuses": [(s, s.label) for s in URGENCY],
            "percent": round(100 * up_to_date / all_rows) if all_rows else None,
            "todos": _trust_todos(summaries),
            "on": timezone.localdate(),
        },
    )


def _trust_todos(summaries) -> list:
    """Each school of the trust with what its DSL still has to add (the trust overview)."""
    todos = school_todos(schools=[s.school for s in summaries], on=timezone.localdate())
    return [(s.school, todos[s.school.pk]) for s in summaries]


@login_required
def my_training(request):
    training = training_plan(user=request.user, on=timezone.localdate())
    unread = list(bulletins_to_read(memberships=training.memberships))
    trusts = [] if training.memberships else list(trusts_of(user=request.user))
    return render(
        request,
        "cpd/my_training.html",
        {
            "training": training,
            "bulletins": unread,
            "trusts": trusts,
            "invitations": list(invitations_of(user=request.user)),
        },
    )


@school_view(Permission.VIEW_SCHOOL)
def rules(request, school):
    """The training the school requires: readable by anyone in it, as in the API."""
    return render(
        request,
        "cpd/requirements/list.html",
        {
            "school": school,
            "lines": school_rules(school=school),
            "can_manage": request.school_access.allows(Permission.MANAGE_REQUIREMENTS),
        },
    )


@school_view(Permission.MANAGE_REQUIREMENTS)
def rule_edit(request, school, course_id: int):
    line = rule_for_course(school=school, course_id=course_id)
    current = line.requirement
    initial = {name: getattr(current, name) for name in OVERRIDABLE}
    form = OverrideForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        requirement_override(school=school, base=current, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Saved: %(name)s now follows this school's rule.") % {
            "name": current.name
        })  # fmt: skip
        return redirect("cpd:requirements", slug=school.slug)
    return render(
        request,
        "cpd/requirements/edit.html",
        {"school": school, "line": line, "form": form},
    )


@school_view(Permission.MANAGE_REQUIREMENTS)
@require_POST
def rule_reset(request, school, course_id: int):
    requirement_override_remove(school=school, course_id=course_id, actor=request.user)
    messages.success(request, _("The default rule applies again."))
    return redirect("cpd:requirements", slug=school.slug)

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd import privacy, reminders, selectors, spreadsheets, throttle
from cpd.conf import cpd_settings
from cpd.dashboard_forms import MatrixFilterForm
from cpd.forms import EmailAuthenticationForm
from cpd.permissions import can_manage_school

STAFF_PER_PAGE = 50


def home(request):
    if request.user.is_authenticated:
        return redirect("courses:my_training")
    return render(request, "cpd/home.html")


def _matrix_and_filters(request, slug):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    matrix = selectors.compliance_matrix(school=school, on=timezone.localdate())
    form = MatrixFilterForm(request.GET or None, requirements=matrix.requirements)
    filters = form.filters() if request.GET else selectors.MatrixFilters()
    columns = [
        r for r in matrix.requirements if not filters.course or r.course.slug == filters.course
    ]
    lines = selectors.matrix_lines(matrix=matrix, filters=filters)
    return school, matrix, form, columns, lines


@login_required
def compliance(request, slug: str):
    school, matrix, form, columns, lines = _matrix_and_filters(request, slug)
    page = Paginator(lines, STAFF_PER_PAGE).get_page(request.GET.get("page"))
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
            "summaries": selectors.requirement_summaries(matrix=matrix),
            "counts": [
                (status, selectors.Status.LABELS[status], count)
                for status, count in matrix.counts.items()
            ],
        },
    )


@login_required
def compliance_download(request, slug: str, fmt: str):
    school, matrix, form, columns, lines = _matrix_and_filters(request, slug)
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


@login_required
def person(request, slug: str, pk: int):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    membership = selectors.member_for_compliance(school=school, pk=pk)
    record = selectors.cpd_record(membership=membership, on=timezone.localdate())
    return render(
        request,
        "cpd/person.html",
        {
            "school": school,
            "record": record,
            "can_export": can_manage_school(request.user, school),
        },
    )


@login_required
@require_POST
def person_export(request, slug: str, pk: int):
    """Everything the school holds about one person, for a subject access request. School
    admins only: it includes the person's answers and files."""
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    if not can_manage_school(request.user, school):
        raise Http404("No such page.")
    membership = selectors.member_for_compliance(school=school, pk=pk)
    data = privacy.subject_access_export(user=membership.user, actor=request.user, school=school)
    response = HttpResponse(data, content_type="application/zip")
    name = slugify(membership.user.get_full_name() or f"person-{membership.pk}")
    response["Content-Disposition"] = f'attachment; filename="{name}-{school.slug}-data.zip"'
    return response


@login_required
@require_POST
def nudge(request, slug: str, pk: int):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    membership = selectors.member_for_compliance(school=school, pk=pk)
    try:
        reminders.nudge_send(
            school=school, membership=membership, sender=request.user, on=timezone.localdate()
        )
    except reminders.NudgeRefused as exc:
        messages.warning(request, str(exc))
    else:
        name = membership.user.get_full_name() or membership.user.email
        messages.success(request, _("Reminder sent to %(name)s.") % {"name": name})
    if _safe_next(request):
        return redirect(request.POST["next"])
    return redirect("cpd:person", slug=school.slug, pk=membership.pk)


def _safe_next(request) -> bool:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


@login_required
def knowledge_gaps(request, slug: str):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    return render(
        request,
        "cpd/knowledge_gaps.html",
        {"school": school, "gaps": selectors.knowledge_gaps(school=school)},
    )


@login_required
def trust(request, slug: str):
    trust = selectors.trust_for_admin(user=request.user, slug=slug)
    summaries = selectors.trust_summary(trust=trust, on=timezone.localdate())
    totals = {
        status: sum(s.counts[status] for s in summaries) for status in selectors.Status.URGENCY
    }
    all_rows = sum(s.total for s in summaries)
    up_to_date = sum(totals[s] for s in selectors.Status.UP_TO_DATE)
    return render(
        request,
        "cpd/trust.html",
        {
            "trust": trust,
            "summaries": summaries,
            "statuses": [(s, selectors.Status.LABELS[s]) for s in selectors.Status.URGENCY],
            "percent": round(100 * up_to_date / all_rows) if all_rows else None,
            "on": timezone.localdate(),
        },
    )


class LoginView(auth_views.LoginView):
    """Django's sign-in, refusing for a while after too many failures (cpd/throttle.py)."""

    template_name = "cpd/accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttle.login_blocked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed attempts to sign in. Wait 15 minutes, or reset your password."),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttle.login_failed(self.request)
        return super().form_invalid(form)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "cpd/accounts/password_reset_form.html"
    email_template_name = "cpd/accounts/password_reset_email.txt"
    subject_template_name = "cpd/accounts/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        if throttle.password_reset_blocked(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many reset requests. Wait an hour and try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    @property
    def extra_email_context(self) -> dict:
        # The product's name rather than the host name that Django would use.
        return {"site_name": cpd_settings.SITE_NAME}

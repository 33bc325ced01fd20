from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd.compliance.records.forms import DecisionForm, ExternalRecordForm
from cpd.compliance.records.selectors import (
    external_record_for_evidence,
    external_records_for_school,
    external_records_of,
)
from cpd.compliance.records.services import external_record_add, external_record_decide
from cpd.conf import cpd_settings
from cpd.people.selectors import memberships_of
from cpd.permissions import Permission
from cpd.tenancy import school_view
from cpd.uploads import upload_limit


@upload_limit(lambda: cpd_settings.EVIDENCE_MAX_BYTES)
@login_required
def my_records(request):
    memberships = list(memberships_of(user=request.user, on=timezone.localdate()))
    form = None
    if memberships:
        form = ExternalRecordForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            memberships=memberships,
        )
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            membership = data.pop("school")
            external_record_add(membership=membership, actor=request.user, **data)
            messages.success(request, _("Saved. Your DSL will check it."))
            return redirect("cpd:my_records")
    return render(
        request,
        "cpd/records/mine.html",
        {"form": form, "records": external_records_of(user=request.user)},
    )


@login_required
def evidence(request, pk: int):
    record = external_record_for_evidence(user=request.user, pk=pk)
    return FileResponse(record.evidence.open("rb"), as_attachment=True)


@school_view(Permission.VIEW_COMPLIANCE)
def school_records(request, school):
    items = list(external_records_for_school(school=school))
    return render(
        request,
        "cpd/records/school.html",
        {"school": school, "records": items, "form": DecisionForm()},
    )


@school_view(Permission.VIEW_COMPLIANCE)
@require_POST
def decide(request, school, pk: int):
    record = get_object_or_404(external_records_for_school(school=school), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("cpd:school_records", slug=school.slug)
    external_record_decide(
        record=record,
        actor=request.user,
        verified=form.cleaned_data["decision"] == "verify",
        course=form.cleaned_data["course"],
        note=form.cleaned_data["note"],
    )
    messages.success(request, _("Decision saved for “%(title)s”.") % {"title": record.title})
    return redirect("cpd:school_records", slug=school.slug)

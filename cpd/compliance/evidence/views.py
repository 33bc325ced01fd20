from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cpd.audit.services import audit_record
from cpd.compliance.evidence import selectors
from cpd.compliance.evidence import services as exports
from cpd.compliance.evidence.forms import EvidencePackForm
from cpd.permissions import Permission
from cpd.tenancy import school_view


@school_view(Permission.VIEW_COMPLIANCE)
def evidence(request, school):
    """A DSL or school admin chooses filters and asks for an evidence pack."""
    courses = selectors.courses_certified_in(school=school)
    data = request.POST if request.method == "POST" else None
    form = EvidencePackForm(data, courses=courses)
    if request.method == "POST" and form.is_valid():
        export = exports.export_request(school=school, actor=request.user, filters=form.filters())
        return HttpResponseRedirect(export_url(school, export))
    return render(
        request,
        "cpd/evidence/evidence.html",
        {
            "school": school,
            "form": form,
            "exports": selectors.exports_for_school(school=school)[:10],
            "now": timezone.now(),
        },
        status=400 if form.is_bound else 200,
    )


def export_url(school, export) -> str:
    return reverse("cpd:evidence_pack_status", kwargs={"slug": school.slug, "pk": export.pk})


@school_view(Permission.VIEW_COMPLIANCE)
@never_cache
def export_status(request, school, pk: int):
    """Progress of one evidence pack. While it is being built the page refreshes itself
    (an HTTP ``Refresh`` header, no script); once ready it stops."""
    export = selectors.export_in_school(school=school, pk=pk)
    response = render(
        request,
        "cpd/evidence/export.html",
        {"school": export.school, "export": export, "now": timezone.now()},
    )
    if export.is_running:
        response["Refresh"] = "3"
    return response


@school_view(Permission.VIEW_COMPLIANCE)
def export_download(request, school, pk: int):
    export = selectors.export_in_school(school=school, pk=pk)
    if export.status != export.Status.READY or not export.file:
        return redirect("cpd:evidence_pack_status", slug=school.slug, pk=pk)
    if export.is_expired(timezone.now()):
        return render(
            request,
            "cpd/evidence/export_expired.html",
            {"school": export.school, "export": export},
            status=410,
        )
    audit_record(
        actor=request.user,
        action="certificates.export.downloaded",
        target=export,
        school=export.school,
        data={"sha256": export.sha256},
    )
    return FileResponse(
        export.file.open("rb"),
        content_type="application/zip",
        as_attachment=True,
        filename=export.file.name.rsplit("/", 1)[-1],
    )

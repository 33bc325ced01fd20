from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from certificates import selectors, services


@login_required
def detail(request, serial: str):
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    return render(
        request,
        "certificates/detail.html",
        {"certificate": certificate, "standing": certificate.standing_on(timezone.localdate())},
    )


@login_required
def download(request, serial: str):
    """Serve the stored bytes. The PDF is rendered once, at issue; if that task has not run
    yet, it runs now — and the stored file is what every later download serves."""
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    if not certificate.pdf:
        certificate = services.certificate_render(certificate=certificate)
    return FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
    )


def verify_lookup(request):
    code = request.GET.get("code", "").strip()
    if code:
        return redirect("certificates:verify", code=code)
    return render(request, "certificates/verify_lookup.html")


@never_cache
def verify(request, code: str):
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return render(request, "certificates/verify_not_found.html", {"code": code}, status=404)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "standing": certificate.standing_on(timezone.localdate())},
    )

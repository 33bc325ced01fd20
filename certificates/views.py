from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from certificates import selectors, services
from certificates.forms import ReissueForm, RevokeForm, VerifyLookupForm
from certificates.permissions import MAY_NOT_REVOKE, can_manage_certificate
from cpd.accounts.addresses import client_key
from cpd.conf import cpd_settings


def _verify_rate(group, request) -> str:
    return cpd_settings.VERIFY_RATE


@login_required
def my_certificates(request):
    """Everything the signed-in person holds, past and current, in every school."""
    today = timezone.localdate()
    certificates = [
        (certificate, certificate.standing_on(today))
        for certificate in selectors.certificates_held_by(user=request.user)
    ]
    return render(request, "certificates/list.html", {"certificates": certificates})


def _detail(request, certificate, *, revoke_form=None, reissue_form=None, status=200):
    can_manage = can_manage_certificate(request.user, certificate)
    is_valid = certificate.status == certificate.Status.VALID
    return render(
        request,
        "certificates/detail.html",
        {
            "certificate": certificate,
            "standing": certificate.standing_on(timezone.localdate()),
            "replaces": certificate.supersedes,
            "replaced_by": getattr(certificate, "superseded_by", None),
            "can_manage": can_manage and is_valid,
            "revoke_form": revoke_form or RevokeForm(),
            "reissue_form": reissue_form
            or ReissueForm(initial={"holder_name": certificate.holder_name}),
        },
        status=status,
    )


@login_required
def detail(request, serial: str):
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    return _detail(request, certificate)


@login_required
@require_POST
def revoke(request, serial: str):
    """404 for a certificate this person may not see, 403 for one they may see but not
    revoke (the service's rule, as in the API)."""
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    form = RevokeForm(request.POST)
    if form.is_valid() and not form.cleaned_data["confirmed"]:
        if not can_manage_certificate(request.user, certificate):
            raise PermissionDenied(MAY_NOT_REVOKE)
        return render(
            request,
            "certificates/revoke_confirm.html",
            {"certificate": certificate, "reason": form.cleaned_data["reason"]},
        )
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Certificate %(serial)s is revoked.") % {"serial": certificate.serial}
            )
            return redirect("certificates:detail", serial=certificate.serial)
    return _detail(request, certificate, revoke_form=form, status=400)


@login_required
@require_POST
def reissue(request, serial: str):
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    form = ReissueForm(request.POST)
    if form.is_valid():
        try:
            new = services.certificate_reissue(
                certificate=certificate,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                holder_name=form.cleaned_data["holder_name"],
                name_correction=form.cleaned_data["name_correction"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Certificate %(new)s replaces %(old)s.")
                % {"new": new.serial, "old": certificate.serial},
            )
            return redirect("certificates:detail", serial=new.serial)
    return _detail(request, certificate, reissue_form=form, status=400)


@login_required
def download(request, serial: str):
    """Serve the stored bytes (``services.certificate_pdf_open``, as the API does)."""
    certificate = selectors.certificate_for(user=request.user, serial=serial)
    return FileResponse(
        services.certificate_pdf_open(certificate=certificate, actor=request.user),
        content_type="application/pdf",
        as_attachment=True,
        filename=f"{certificate.serial}.pdf",
    )


@never_cache
@ratelimit(group="certificates.verify", key=client_key, rate=_verify_rate, block=False)
def verify_lookup(request):
    """Find a certificate by its code, or by serial and surname, then show its check. Rate
    limited with the check itself: both answer whether a certificate exists."""
    if not request.GET:
        return render(request, "certificates/verify_lookup.html", {"form": VerifyLookupForm()})
    if request.limited:
        response = render(request, "certificates/verify_rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    form = VerifyLookupForm(request.GET)
    if not form.is_valid():
        return render(request, "certificates/verify_lookup.html", {"form": form}, status=400)
    if form.cleaned_data["code"].strip():
        certificate = selectors.certificate_by_code(code=form.cleaned_data["code"])
    else:
        certificate = selectors.certificate_by_serial(
            serial=form.cleaned_data["serial"], surname=form.cleaned_data["surname"]
        )
    if certificate is None:
        return render(
            request,
            "certificates/verify_lookup.html",
            {"form": form, "not_found": True},
            status=404,
        )
    return redirect("certificates:verify", code=certificate.verification_code)


@never_cache
@ratelimit(group="certificates.verify", key=client_key, rate=_verify_rate, block=False)
def verify(request, code: str):
    """Public check of a certificate by its code: no login, rate limited per IP address."""
    if request.limited:
        response = render(request, "certificates/verify_rate_limited.html", status=429)
        response["Retry-After"] = "60"
        return response
    certificate = (
        selectors.certificate_by_code(code=code)
        if selectors.could_be_verification_code(code)
        else None
    )
    if certificate is None:
        return render(request, "certificates/verify_not_found.html", {"code": code}, status=404)
    if not certificate.pdf:
        # Its render task finally failed: the next verification renders it.
        services.certificate_pdf_repair(certificate=certificate)
    today = timezone.localdate()
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "standing": certificate.standing_on(today), "today": today},
    )

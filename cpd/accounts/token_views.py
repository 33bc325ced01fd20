"""The API token page: a person's named tokens, listed with their expiry and last use; a
form to make one (school and trust admins only; the key is shown once); and a revoke button
for each, which works whatever the holder's role now."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.accounts.forms import ApiTokenForm
from cpd.accounts.tokens import (
    api_token_allowed,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from cpd.conf import cpd_settings
from cpd.errors import CPDError, NotAllowed, NotFound


@login_required
def api_token(request):
    allowed = api_token_allowed(request.user)
    form = ApiTokenForm(
        request.POST if request.POST.get("action") == "create" else None,
        most_days=cpd_settings.API_TOKEN_MAX_DAYS,
        default_days=cpd_settings.API_TOKEN_DAYS,
    )
    created = key = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token_id = request.POST.get("token", "")
        token_id = int(token_id) if token_id.isdigit() else 0
        if not request.POST.get("confirmed"):
            # Revoking stops whatever uses the token at once: say so on a page of its own.
            token = next((t for t in api_token_list(user=request.user) if t.pk == token_id), None)
            if token is None:
                raise NotFound(_("You have no such token."))
            return render(request, "cpd/staff/api_token_revoke.html", {"token": token})
        token = api_token_revoke(user=request.user, token_id=token_id)
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
        return redirect("cpd:api_token")
    if request.method == "POST" and request.POST.get("action") == "create":
        if form.is_valid():
            try:
                created, key = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    days=form.cleaned_data["days"],
                )
            except CPDError as error:
                if isinstance(error, NotAllowed):
                    raise
                form.add_error("name", error.message)
        if created is None:
            status = 400
        else:
            form = ApiTokenForm(
                most_days=cpd_settings.API_TOKEN_MAX_DAYS,
                default_days=cpd_settings.API_TOKEN_DAYS,
            )
    tokens = api_token_list(user=request.user)
    if not allowed and not tokens:
        raise NotAllowed(_("Only school and trust admins can use API tokens."))
    return render(
        request,
        "cpd/staff/api_token.html",
        {
            "tokens": tokens,
            "created": created,
            "key": key,
            "allowed": allowed,
            "form": form,
            "now": timezone.now(),
        },
        status=status,
    )

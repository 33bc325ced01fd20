from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from cpd.accounts.tokens import api_token_allowed, api_token_create, api_token_revoke


@login_required
def api_token(request):
    """A school or trust admin's own API token, for an integration that acts with their
    access. The key is shown once, when it is made; making a new one replaces the old."""
    if not api_token_allowed(request.user):
        raise PermissionDenied(_("Only school and trust admins can use API tokens."))
    created = None
    if request.method == "POST":
        if request.POST.get("action") == "create":
            created = api_token_create(user=request.user)
        elif request.POST.get("action") == "revoke":
            if api_token_revoke(user=request.user):
                messages.success(request, _("Your API token is revoked."))
            return redirect("cpd:api_token")
    token = created or Token.objects.filter(user=request.user).first()
    return render(request, "cpd/staff/api_token.html", {"token": token, "created": created})

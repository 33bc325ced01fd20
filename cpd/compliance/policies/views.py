"""The school's own policies: the DSL publishes them, staff read and confirm them (the
"read and confirm the school's policies" requirement counts the confirmations)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from courses.rendering import render_markdown
from cpd.arrangements import policies, services
from cpd.arrangements.forms import ArrangementsForm, PolicyForm
from cpd.arrangements.selectors import FIELDS
from cpd.arrangements.selectors import trust_arrangements as trust_row
from cpd.compliance.selectors import trust_for_admin
from cpd.dates import school_today
from cpd.errors import CPDError
from cpd.permissions import Permission
from cpd.tenancy import school_view


@school_view(Permission.VIEW_COMPLIANCE)
def school_policies(request, school):
    can_publish = request.school_access.allows(Permission.MANAGE_ARRANGEMENTS)
    form = None
    if can_publish:
        posted = request.method == "POST"
        form = PolicyForm(request.POST if posted else None, request.FILES if posted else None)
    elif request.method == "POST":
        request.school_access.require(Permission.MANAGE_ARRANGEMENTS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.policy_publish(
                actor=request.user,
                school=school,
                kind=data["kind"],
                title=data["title"],
                version=data["version"],
                effective_on=data["effective_on"],
                pdf=data["file"],
                text=data["text"],
            )
        except CPDError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Policy published. Staff will be asked to confirm it."))
            return redirect("cpd:school_policies", slug=school.slug)
    return render(
        request,
        "cpd/arrangements/school_policies.html",
        {
            "school": school,
            "form": form,
            "lines": policies.school_policy_lines(school=school, on=school_today(school)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_policies(request):
    items = policies.policies_for_member(user=request.user, on=timezone.localdate())
    return render(request, "cpd/arrangements/my_policies.html", {"items": items})


@login_required
def policy(request, pk: int):
    item = policies.policy_for_member(user=request.user, pk=pk, on=timezone.localdate())
    return render(
        request,
        "cpd/arrangements/policy.html",
        {"item": item, "body": render_markdown(item.version.text) if item.version.text else ""},
    )


@login_required
@require_POST
def policy_confirm(request, pk: int):
    item = policies.policy_for_member(user=request.user, pk=pk, on=timezone.localdate())
    services.policy_confirm(version=item.version, membership=item.membership)
    messages.success(request, _("Thank you: your confirmation is recorded."))
    return redirect("cpd:my_policies")


@login_required
def policy_file(request, pk: int):
    item = policies.policy_for_member(user=request.user, pk=pk, on=timezone.localdate())
    if not item.version.file:
        return redirect("cpd:policy", pk=pk)
    name = f"{slugify(item.version.policy.title)}-{slugify(item.version.version)}.pdf"
    return FileResponse(item.version.file.open("rb"), content_type="application/pdf", filename=name)


@login_required
def trust_arrangements(request, slug: str):
    """A trust admin's defaults for every school in the trust: arrangements a school's own
    replace field by field, and policies a school's own of the same kind replace."""
    trust = trust_for_admin(user=request.user, slug=slug)
    posted = request.method == "POST"
    which = request.POST.get("form") if posted else None
    arrangements_form = ArrangementsForm(
        request.POST if which == "arrangements" else None, instance=trust_row(trust=trust)
    )
    policy_form = PolicyForm(
        request.POST if which == "policy" else None,
        request.FILES if which == "policy" else None,
    )
    if which == "arrangements" and arrangements_form.is_valid():
        fields = {name: arrangements_form.cleaned_data[name] for name in FIELDS}
        services.arrangements_update(actor=request.user, trust=trust, **fields)
        messages.success(request, _("The trust's arrangements are saved."))
        return redirect("cpd:trust_arrangements", slug=trust.slug)
    if which == "policy" and policy_form.is_valid():
        data = policy_form.cleaned_data
        try:
            services.policy_publish(
                actor=request.user, trust=trust, kind=data["kind"], title=data["title"],
                version=data["version"], effective_on=data["effective_on"], pdf=data["file"],
                text=data["text"],
            )  # fmt: skip
        except CPDError as exc:
            policy_form.add_error(None, exc.message)
        else:
            messages.success(request, _("Policy published for every school in the trust."))
            return redirect("cpd:trust_arrangements", slug=trust.slug)
    return render(
        request,
        "cpd/arrangements/trust.html",
        {
            "trust": trust,
            "arrangements_form": arrangements_form,
            "form": policy_form,
            "policies": policies.trust_policy_versions(trust=trust),
        },
        status=400 if posted else 200,
    )

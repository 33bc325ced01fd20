"""The school's staff pages: the list (school admins manage, DSLs read), the import in
three steps (upload, preview, confirm) and marking a leaver; and a person's API token."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd.conf import cpd_settings
from cpd.dates import school_today
from cpd.errors import Conflict, NotFound
from cpd.models import Membership
from cpd.people import joining
from cpd.people.forms import MembershipLeaveForm, StaffImportConfirmForm, StaffImportForm
from cpd.people.imports import pending as imports
from cpd.people.imports.rows import StaffImportError
from cpd.people.selectors import invitations_of, memberships_visible_to
from cpd.people.services import (
    MembershipError,
    leaving_date_check,
    membership_leave,
    membership_restore,
)
from cpd.permissions import Permission
from cpd.tenancy import school_view
from cpd.uploads import upload_limit

# The imports this browser started, as [school id, token]: when one of them has gone (it
# was imported, or expired) the page says so; anyone else's token is simply not found.
# The file itself waits in storage (``cpd.people.imports.pending``).
SESSION_KEY = "cpd_staff_imports"


@school_view(Permission.VIEW_SCHOOL)
def staff_list(request, school):
    """Everyone in the school for its DSLs and admins; anyone else sees only themselves
    (the same rule as the API's staff list)."""
    today = school_today(school)
    show_leavers = request.GET.get("show") == "leavers"
    memberships = memberships_visible_to(user=request.user, access=request.school_access)
    if show_leavers:
        memberships = memberships.filter(left_on__lte=today)
    else:
        memberships = memberships.listed(today)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cpd/staff/list.html",
        {
            "school": school,
            "page": page,
            "show_leavers": show_leavers,
            "can_manage": request.school_access.allows(Permission.MANAGE_STAFF),
            "can_view": request.school_access.allows(Permission.VIEW_COMPLIANCE),
        },
    )


def _remember(request, school, token: str) -> None:
    started = [pair for pair in request.session.get(SESSION_KEY, []) if pair[1] != token]
    request.session[SESSION_KEY] = [*started[-9:], [school.pk, token]]


def _started_here(request, school, token) -> bool:
    return [school.pk, str(token)] in request.session.get(SESSION_KEY, [])


@upload_limit(lambda: cpd_settings.STAFF_IMPORT_MAX_BYTES)
@school_view(Permission.MANAGE_STAFF)
def staff_import(request, school):
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            pending = imports.staff_import_preview(
                school=school,
                actor=request.user,
                content=upload.read(),
                filename=upload.name,
                full_sync=form.cleaned_data["full_sync"],
            )
        except StaffImportError as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
        else:
            _remember(request, school, pending.token)
            return redirect("cpd:staff_import_preview", slug=school.slug, token=pending.token)
    return render(request, "cpd/staff/import.html", {"school": school, "form": form})


@school_view(Permission.MANAGE_STAFF)
def staff_import_preview(request, school, token: uuid.UUID):
    try:
        pending = imports.staff_import_pending(school=school, actor=request.user, token=token)
    except NotFound:
        if not _started_here(request, school, token):
            raise
        messages.error(request, _("That import has expired. Upload the file again."))
        return redirect("cpd:staff_import", slug=school.slug)
    plan = pending.plan
    form = StaffImportConfirmForm(
        request.POST if request.method == "POST" else None,
        leavers=len(plan.leavers),
        initial={"fingerprint": pending.fingerprint},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = imports.staff_import_apply(
                school=school,
                actor=request.user,
                token=token,
                # Without one (a form from before this page had it), what was first shown.
                fingerprint=form.cleaned_data["fingerprint"] or pending.previewed_fingerprint,
                confirm_leavers=form.cleaned_data.get("confirm_leavers", False),
            )
        except StaffImportError as exc:
            for problem in exc.problems:
                messages.error(request, str(problem))
            return redirect(request.path)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect(request.path)
        messages.success(
            request,
            _(
                "Staff imported: %(adds)d added, %(updates)d updated, %(leavers)d marked "
                "as leavers, %(unchanged)d unchanged."
            )
            % {
                "adds": len(plan.adds),
                "updates": len(plan.updates),
                "leavers": len(plan.leavers),
                "unchanged": len(plan.unchanged),
            },
        )
        return redirect("cpd:staff", slug=school.slug)
    return render(
        request,
        "cpd/staff/import_preview.html",
        {"school": school, "plan": plan, "form": form, "today": school_today(school)},
    )


def _member(school, pk: int) -> Membership:
    return get_object_or_404(Membership.objects.for_school(school).select_related("user"), pk=pk)


@school_view(Permission.MANAGE_STAFF)
def staff_leave(request, school, pk: int):
    """Mark a leaver in two steps: the leaving date (asked, never filled in), then a second
    page that says what will happen, where the admin confirms."""
    membership = _member(school, pk)
    form = MembershipLeaveForm(request.POST or None)
    template = "cpd/staff/leave.html"
    if request.method == "POST" and form.is_valid():
        left_on = form.cleaned_data["left_on"]
        try:
            if form.cleaned_data["confirmed"]:
                membership_leave(membership=membership, left_on=left_on, actor=request.user)
            else:
                leaving_date_check(membership=membership, left_on=left_on, actor=request.user)
                template = "cpd/staff/leave_confirm.html"
        except MembershipError as exc:
            form.add_error("left_on", str(exc))
        else:
            if form.cleaned_data["confirmed"]:
                messages.success(
                    request,
                    _("%(name)s is marked as leaving on %(date)s.")
                    % {
                        "name": membership.display_name,
                        "date": left_on.strftime("%d %B %Y"),
                    },
                )
                return redirect("cpd:person", slug=school.slug, pk=membership.pk)
    return render(
        request,
        template,
        {
            "school": school,
            "membership": membership,
            "form": form,
            "left_on": form.cleaned_data.get("left_on") if form.is_bound else None,
            "today": school_today(school),
        },
    )


@login_required
def invitations(request):
    """The schools that have invited the signed-in person, to accept or decline."""
    return render(
        request,
        "cpd/staff/invitations.html",
        {"invitations": list(invitations_of(user=request.user))},
    )


@login_required
@require_POST
def invitation_answer(request, pk: int):
    """Accept or decline one of the person's own invitations; anyone else's is a 404."""
    if not invitations_of(user=request.user).filter(pk=pk).exists():
        raise NotFound(_("No such invitation."), code="invitation_not_found")
    answer = request.POST.get("answer")
    if answer == "accept":
        membership = joining.membership_invitation_accept(user=request.user, pk=pk)
        messages.success(
            request, _("You have joined %(school)s.") % {"school": membership.school.name}
        )
    elif answer == "decline":
        joining.membership_invitation_decline(user=request.user, pk=pk)
        messages.success(request, _("You have declined the invitation."))
    else:
        messages.error(request, _("Choose Accept or Decline."))
    return redirect("cpd:invitations")


@school_view(Permission.MANAGE_STAFF)
@require_POST
def staff_restore(request, school, pk: int):
    """Undo a leaving date, from the person's page."""
    membership = membership_restore(membership=_member(school, pk), actor=request.user)
    messages.success(
        request,
        _("%(name)s is current staff again.") % {"name": membership.display_name},
    )
    return redirect("cpd:person", slug=school.slug, pk=membership.pk)

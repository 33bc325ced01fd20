"""The school's staff pages: the list (school admins manage, DSLs read), the import in
three steps (upload, preview, confirm) and marking a leaver; and a person's API token."""

import base64
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.models import Membership
from cpd.people.forms import MembershipLeaveForm, StaffImportConfirmForm, StaffImportForm
from cpd.people.imports.applying import staff_import_apply
from cpd.people.imports.planning import staff_import_plan
from cpd.people.imports.reading import staff_file_read
from cpd.people.imports.rows import StaffImportError
from cpd.people.selectors import memberships_visible_to, school_staff_visible_to
from cpd.people.services import MembershipError, membership_leave
from cpd.permissions import can_manage_school

# The uploaded file waits in the session between the preview and the confirmation, so the
# confirmation applies exactly the bytes that were checked and nothing the browser sends.
SESSION_KEY = "cpd_staff_import"


def _managed_school(request, slug):
    school = school_staff_visible_to(user=request.user, slug=slug)
    if not can_manage_school(request.user, school):
        raise PermissionDenied(_("Only the school's admins can change its staff."))
    return school


@login_required
def staff_list(request, slug: str):
    school = school_staff_visible_to(user=request.user, slug=slug)
    today = timezone.localdate()
    show_leavers = request.GET.get("show") == "leavers"
    memberships = memberships_visible_to(user=request.user, school=school)
    if show_leavers:
        memberships = memberships.filter(left_on__lte=today)
    else:
        memberships = memberships.current(today)
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cpd/staff/list.html",
        {
            "school": school,
            "page": page,
            "show_leavers": show_leavers,
            "can_manage": can_manage_school(request.user, school),
        },
    )


def _stored(request, school, token):
    stored = request.session.get(SESSION_KEY)
    if not stored or stored["token"] != str(token) or stored["school"] != school.pk:
        return None
    return stored


@login_required
def staff_import(request, slug: str):
    school = _managed_school(request, slug)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            staff_file_read(content=content, filename=upload.name)
        except StaffImportError as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
        else:
            token = str(uuid.uuid4())
            request.session[SESSION_KEY] = {
                "token": token,
                "school": school.pk,
                "filename": upload.name[:200],
                "content": base64.b64encode(content).decode("ascii"),
                "full_sync": form.cleaned_data["full_sync"],
                "fingerprint": None,
            }
            return redirect("cpd:staff_import_preview", slug=school.slug, token=token)
    return render(request, "cpd/staff/import.html", {"school": school, "form": form})


@login_required
def staff_import_preview(request, slug: str, token: uuid.UUID):
    school = _managed_school(request, slug)
    stored = _stored(request, school, token)
    if stored is None:
        messages.error(request, _("That import has expired. Upload the file again."))
        return redirect("cpd:staff_import", slug=school.slug)
    content = base64.b64decode(stored["content"])
    today = timezone.localdate()
    if request.method == "POST":
        form = StaffImportConfirmForm(request.POST, leavers=stored.get("leavers") or 0)
        if form.is_valid():
            try:
                plan = staff_import_apply(
                    school=school,
                    content=content,
                    filename=stored["filename"],
                    full_sync=stored["full_sync"],
                    confirm_leavers=form.cleaned_data.get("confirm_leavers", False),
                    actor=request.user,
                    on=today,
                    expected_fingerprint=stored["fingerprint"],
                )
            except StaffImportError as exc:
                for problem in exc.problems:
                    messages.error(request, str(problem))
                return redirect(request.path)
            del request.session[SESSION_KEY]
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
    staff_file = staff_file_read(content=content, filename=stored["filename"])
    plan = staff_import_plan(
        school=school,
        staff_file=staff_file,
        full_sync=stored["full_sync"],
        on=today,
        actor=request.user,
    )
    stored["fingerprint"] = plan.fingerprint
    stored["leavers"] = len(plan.leavers)
    request.session[SESSION_KEY] = stored
    if request.method != "POST":
        form = StaffImportConfirmForm(leavers=len(plan.leavers))
    return render(
        request,
        "cpd/staff/import_preview.html",
        {"school": school, "plan": plan, "form": form, "today": today},
    )


@login_required
def staff_leave(request, slug: str, pk: int):
    school = _managed_school(request, slug)
    membership = get_object_or_404(
        Membership.objects.for_school(school).select_related("user"), pk=pk
    )
    form = MembershipLeaveForm(
        request.POST or None, initial={"left_on": timezone.localdate().isoformat()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership_leave(
                membership=membership, left_on=form.cleaned_data["left_on"], actor=request.user
            )
        except MembershipError as exc:
            form.add_error("left_on", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is marked as leaving on %(date)s.")
                % {
                    "name": membership.user.get_full_name() or membership.user.email,
                    "date": form.cleaned_data["left_on"].strftime("%d %B %Y"),
                },
            )
            return redirect("cpd:staff", slug=school.slug)
    return render(
        request,
        "cpd/staff/leave.html",
        {"school": school, "membership": membership, "form": form},
    )

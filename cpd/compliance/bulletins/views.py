from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpd.compliance.bulletins import services
from cpd.compliance.bulletins.forms import BulletinForm
from cpd.compliance.bulletins.selectors import (
    bulletin_for_member,
    bulletin_in_school,
    bulletin_readership,
    bulletins_for_school,
)
from cpd.dates import school_today
from cpd.permissions import Permission
from cpd.tenancy import school_view


@school_view(Permission.VIEW_COMPLIANCE)
def school_bulletins(request, school):
    form = BulletinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.bulletin_post(school=school, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Bulletin posted. Staff will see it on their training page."))
        return redirect("cpd:bulletins", slug=school.slug)
    return render(
        request,
        "cpd/bulletins/school.html",
        {
            "school": school,
            "form": form,
            "bulletins": bulletins_for_school(school=school),
        },
    )


def render_markdown(text: str):
    # Lazy: cpd reaches the courses app only at call time (see DESIGN.md §2).
    from courses.rendering import render_markdown as render

    return render(text)


@school_view(Permission.VIEW_COMPLIANCE)
def school_bulletin(request, school, pk: int):
    bulletin = bulletin_in_school(school=school, pk=pk)
    return render(
        request,
        "cpd/bulletins/readership.html",
        {
            "school": school,
            "bulletin": bulletin,
            "body": render_markdown(bulletin.body),
            "readership": bulletin_readership(bulletin=bulletin, on=school_today(school)),
        },
    )


@login_required
def bulletin(request, pk: int):
    item, membership = bulletin_for_member(user=request.user, pk=pk, on=timezone.localdate())
    confirmed = item.reads.filter(membership=membership).first()
    return render(
        request,
        "cpd/bulletins/read.html",
        {"bulletin": item, "body": render_markdown(item.body), "confirmed": confirmed},
    )


@login_required
@require_POST
def bulletin_confirm(request, pk: int):
    item, membership = bulletin_for_member(user=request.user, pk=pk, on=timezone.localdate())
    services.bulletin_confirm(bulletin=item, membership=membership)
    messages.success(request, _("Thank you: your confirmation is recorded."))
    return redirect("cpd:my_training")

"""The school's arrangements: "Worried about a child?" for everyone, its poster and card,
and the DSL's pages to keep them. (Its policies' pages are in ``cpd.compliance.policies``,
beside bulletins: they render Markdown with the courses app's sanitiser.)"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cpd.arrangements import selectors, services
from cpd.arrangements.forms import ArrangementsForm, LeadForm
from cpd.arrangements.poster import sheet_pdf
from cpd.dates import school_today
from cpd.permissions import Permission
from cpd.tenancy import school_view


@login_required
def worried(request):
    """What to do now, with the names and numbers of each of the person's schools."""
    sheets = selectors.sheets_for_user(user=request.user, on=timezone.localdate())
    return render(request, "cpd/arrangements/worried.html", {"sheets": sheets})


def _pdf(sheet, template: str, name: str) -> HttpResponse:
    response = HttpResponse(sheet_pdf(sheet=sheet, template=template), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(sheet.school.name)}-{name}.pdf"'
    return response


@school_view(Permission.VIEW_SCHOOL)
def worried_poster(request, school):
    sheet = selectors.sheet_for_school(school=school, on=school_today(school))
    return _pdf(sheet, "cpd/arrangements/poster.html", "worried-about-a-child-poster")


@school_view(Permission.VIEW_SCHOOL)
def worried_card(request, school):
    sheet = selectors.sheet_for_school(school=school, on=school_today(school))
    return _pdf(sheet, "cpd/arrangements/card.html", "worried-about-a-child-card")


@school_view(Permission.VIEW_SCHOOL)
def lead_photo(request, school, pk: int):
    """A DSL's or deputy's photo, for staff of their school only."""
    photo = selectors.lead_photo_in_school(school=school, pk=pk, on=school_today(school))
    kind = "image/png" if photo.name.endswith(".png") else "image/jpeg"
    response = FileResponse(photo.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=300"
    return response


@school_view(Permission.MANAGE_ARRANGEMENTS)
def arrangements(request, school):
    own = selectors.school_arrangements(school=school)
    form = ArrangementsForm(request.POST if request.method == "POST" else None, instance=own)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in selectors.FIELDS}
        services.arrangements_update(actor=request.user, school=school, **fields)
        messages.success(request, _("Your school's arrangements are saved."))
        return redirect("cpd:arrangements", slug=school.slug)
    today = school_today(school)
    sheet = selectors.sheet_for_school(school=school, on=today)
    return render(
        request,
        "cpd/arrangements/edit.html",
        {
            "school": school,
            "form": form,
            "leads": selectors.leads_of_school(school=school, on=today),
            "gaps": selectors.arrangements_gaps(sheet),
        },
        status=400 if request.method == "POST" else 200,
    )


@school_view(Permission.MANAGE_ARRANGEMENTS)
def lead(request, school, pk: int):
    membership = selectors.lead_in_school(school=school, pk=pk, on=school_today(school))
    contact = getattr(membership, "safeguarding_lead", None)
    initial = {"phone": contact.phone, "where_to_find": contact.where_to_find} if contact else {}
    form = LeadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(
                membership=membership,
                actor=request.user,
                phone=form.cleaned_data["phone"],
                where_to_find=form.cleaned_data["where_to_find"],
                photo=form.cleaned_data["photo"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Contact details saved."))
            return redirect("cpd:arrangements", slug=school.slug)
    return render(
        request,
        "cpd/arrangements/lead.html",
        {"school": school, "lead": membership, "form": form},
        status=400 if request.method == "POST" else 200,
    )

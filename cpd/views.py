from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone

from cpd import selectors
from cpd.conf import cpd_settings


def home(request):
    if request.user.is_authenticated:
        return redirect("courses:my_training")
    return render(request, "cpd/home.html")


@login_required
def compliance(request, slug: str):
    school = selectors.school_for_compliance(user=request.user, slug=slug)
    matrix = selectors.compliance_matrix(school=school, on=timezone.localdate())
    page = Paginator(matrix.memberships, 50).get_page(request.GET.get("page"))
    rows = [
        (
            membership,
            [matrix.by_membership.get(membership.pk, {}).get(r.pk) for r in matrix.requirements],
        )
        for membership in page
    ]
    return render(
        request,
        "cpd/compliance.html",
        {
            "school": school,
            "matrix": matrix,
            "page": page,
            "rows": rows,
            "counts": [
                (status, selectors.Status.LABELS[status], count)
                for status, count in matrix.counts.items()
            ],
        },
    )


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "cpd/accounts/password_reset_form.html"
    email_template_name = "cpd/accounts/password_reset_email.txt"
    subject_template_name = "cpd/accounts/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        # The product's name rather than the host name that Django would use.
        return {"site_name": cpd_settings.SITE_NAME}

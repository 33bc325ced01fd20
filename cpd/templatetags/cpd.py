import time

from django import template

from cpd.conf import cpd_settings

register = template.Library()

# The header's dashboard links are kept in the session for a few minutes: they change only
# when someone's role does, and every page they lead to checks permission itself.
NAVIGATION_KEY = "cpd_navigation"
NAVIGATION_SECONDS = 300


@register.simple_tag
def cpd_site_name() -> str:
    """The product's name (CPD_SITE_NAME), without needing a context processor."""
    return cpd_settings.SITE_NAME


@register.simple_tag(takes_context=True)
def cpd_navigation(context) -> list[tuple[str, str]]:
    """Links to the dashboards this person may open: each school they lead and each trust
    they administer. Two queries, then cached in the session for five minutes."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from cpd.models import School, Trust
    from cpd.permissions import compliance_schools_q

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if not hasattr(request, "_cpd_navigation"):
        cached = request.session.get(NAVIGATION_KEY) if hasattr(request, "session") else None
        if cached and cached[0] == user.pk and cached[1] > time.time():
            request._cpd_navigation = [tuple(link) for link in cached[2]]
            return request._cpd_navigation
        links = [
            (_("%(school)s compliance") % {"school": school.name},
             reverse("cpd:compliance", kwargs={"slug": school.slug}))
            for school in School.objects.filter(compliance_schools_q(user)).order_by("name")[:10]
        ]  # fmt: skip
        links += [
            (trust.name, reverse("cpd:trust", kwargs={"slug": trust.slug}))
            for trust in Trust.objects.filter(roles__user=user).distinct().order_by("name")
        ]
        request._cpd_navigation = links
        if hasattr(request, "session"):
            request.session[NAVIGATION_KEY] = (user.pk, time.time() + NAVIGATION_SECONDS, links)
    return request._cpd_navigation

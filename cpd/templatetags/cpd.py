from django import template

from cpd.conf import cpd_settings

register = template.Library()


@register.simple_tag
def cpd_site_name() -> str:
    """The product's name (CPD_SITE_NAME), without needing a context processor."""
    return cpd_settings.SITE_NAME


@register.simple_tag(takes_context=True)
def cpd_navigation(context) -> list[tuple[str, str]]:
    """Links to the dashboards this person may open: each school they lead and each trust
    they administer. Two queries, once per request."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from cpd.models import Trust
    from cpd.selectors import schools_for_compliance

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if not hasattr(request, "_cpd_navigation"):
        links = [
            (_("%(school)s compliance") % {"school": school.name},
             reverse("cpd:compliance", kwargs={"slug": school.slug}))
            for school in schools_for_compliance(user=user).order_by("name")[:10]
        ]  # fmt: skip
        links += [
            (trust.name, reverse("cpd:trust", kwargs={"slug": trust.slug}))
            for trust in Trust.objects.filter(roles__user=user).distinct().order_by("name")
        ]
        request._cpd_navigation = links
    return request._cpd_navigation

import time
from dataclasses import dataclass, field

from django import template
from django.utils.safestring import mark_safe

from cpd.conf import cpd_settings

register = template.Library()

# The header's links are kept in the session for a few minutes: they change only when
# someone's role does, and every page they lead to checks permission itself.
NAVIGATION_KEY = "cpd_navigation"
NAVIGATION_SECONDS = 300
# The school whose links the service navigation shows on pages that are not a school's
# own (My training, a course): the last school of theirs the person opened.
CURRENT_SCHOOL_KEY = "cpd_current_school"


@register.simple_tag
def cpd_site_name() -> str:
    """The product's name (CPD_SITE_NAME), without needing a context processor."""
    return cpd_settings.SITE_NAME


@dataclass
class NavSchool:
    slug: str
    name: str
    can_manage: bool
    trust_slug: str | None = None
    trust_name: str | None = None


@dataclass
class Navigation:
    """What the service navigation shows: the schools this person leads (DSL, deputy,
    school admin, trust admin), the trusts they administer, and the school whose links
    are shown now."""

    schools: list[NavSchool] = field(default_factory=list)
    trusts: list[tuple[str, str]] = field(default_factory=list)  # (slug, name)
    current: NavSchool | None = None
    reviews_content: bool = False
    """A superuser or a trust's content reviewer: the item statistics are theirs to see."""

    @property
    def switcher(self) -> bool:
        """A school switcher for people who lead several schools or oversee a trust."""
        return len(self.schools) > 1 or bool(self.trusts)


def _links(user) -> tuple[list[list], list[list], bool]:
    """Two queries: the schools the user leads, with whether they manage each; and their
    roles in trusts: the trusts they administer, and whether they review content."""
    from cpd.models import TrustRole
    from cpd.permissions import (
        Permission,
        compliance_schools_q,
        permissions_of,
        schools_with_permissions,
    )

    schools = [
        [s.slug, s.name, Permission.MANAGE_STAFF in permissions_of(user, s),
         s.trust.slug if s.trust_id else None, s.trust.name if s.trust_id else None]
        for s in schools_with_permissions(user)
        .filter(compliance_schools_q(user))
        .select_related("trust")
        .order_by("name")
    ]  # fmt: skip
    roles = list(
        TrustRole.objects.filter(user=user).select_related("trust").order_by("trust__name")
    )
    trusts = [
        [role.trust.slug, role.trust.name]
        for role in roles
        if role.role == TrustRole.Role.TRUST_ADMIN
    ]
    reviews = user.is_superuser or any(
        role.role == TrustRole.Role.CONTENT_REVIEWER for role in roles
    )
    return schools, trusts, reviews


@register.simple_tag(takes_context=True)
def cpd_navigation(context) -> Navigation:
    """The service navigation for this person. Two queries, then cached in the session
    for five minutes; the school being shown is the page's own school when it is one
    they lead, else the last one they opened."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Navigation()
    if not hasattr(request, "_cpd_navigation"):
        session = getattr(request, "session", None)
        cached = session.get(NAVIGATION_KEY) if session is not None else None
        if cached and len(cached) == 5 and cached[0] == user.pk and cached[1] > time.time():
            schools, trusts, reviews = cached[2], cached[3], cached[4]
        else:
            schools, trusts, reviews = _links(user)
            if session is not None:
                session[NAVIGATION_KEY] = (
                    user.pk, time.time() + NAVIGATION_SECONDS, schools, trusts, reviews
                )  # fmt: skip
        navigation = Navigation(
            schools=[NavSchool(*row) for row in schools],
            trusts=[tuple(row) for row in trusts],
            reviews_content=reviews,
        )
        by_slug = {s.slug: s for s in navigation.schools}
        access = getattr(request, "school_access", None)
        here = access.school.slug if access is not None else None
        if here in by_slug:
            navigation.current = by_slug[here]
            if session is not None and session.get(CURRENT_SCHOOL_KEY) != here:
                session[CURRENT_SCHOOL_KEY] = here
        elif access is None and navigation.schools:
            remembered = session.get(CURRENT_SCHOOL_KEY) if session is not None else None
            only = navigation.schools[0] if len(navigation.schools) == 1 else None
            navigation.current = by_slug.get(remembered, only)
        request._cpd_navigation = navigation
    return request._cpd_navigation


@register.simple_tag(takes_context=True)
def nav_current(context, url: str, exact: bool = False) -> str:
    """``aria-current="page"`` for the link to this page (or, unless ``exact``, a section
    the page is in)."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if path == url or (not exact and path.startswith(url)):
        return mark_safe(' aria-current="page"')
    return ""

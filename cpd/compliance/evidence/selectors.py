"""What an evidence pack may hold, and a school's packs."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from certificates.models import Certificate, Export
from courses.models import Course
from cpd.errors import NotFound
from cpd.models import School


def exports_for_school(*, school: School) -> QuerySet:
    return Export.objects.for_school(school).select_related("requested_by")


def export_in_school(*, school: School, pk: int) -> Export:
    """One of this school's evidence packs; any other is a ``NotFound``."""
    export = (
        Export.objects.for_school(school)
        .filter(pk=pk)
        .select_related("school", "requested_by")
        .first()
    )
    if export is None:
        raise NotFound(_("No such evidence pack."))
    return export


def courses_certified_in(*, school: School):
    """Courses with at least one certificate in this school: the evidence pack's choices."""

    return (
        Course.objects.filter(certificates__membership__school=school).distinct().order_by("title")
    )


STANDINGS = ("valid", "expired", "revoked", "superseded")


@dataclass(frozen=True)
class ExportFilters:
    """What a DSL chose. Empty lists mean "all"; dates are inclusive."""

    courses: list[str] = field(default_factory=list)  # course slugs
    completed_from: date | None = None
    completed_to: date | None = None
    staff_categories: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)  # valid, expired, revoked, superseded

    def as_json(self) -> dict:
        return {
            "courses": sorted(self.courses),
            "completed_from": self.completed_from.isoformat() if self.completed_from else None,
            "completed_to": self.completed_to.isoformat() if self.completed_to else None,
            "staff_categories": sorted(self.staff_categories),
            "statuses": sorted(self.statuses),
        }

    @classmethod
    def from_json(cls, data: dict) -> "ExportFilters":
        def day(value):
            return date.fromisoformat(value) if value else None

        return cls(
            courses=list(data.get("courses") or []),
            completed_from=day(data.get("completed_from")),
            completed_to=day(data.get("completed_to")),
            staff_categories=list(data.get("staff_categories") or []),
            statuses=list(data.get("statuses") or []),
        )


def _standing_q(standing: str, on: date) -> Q:
    current = Q(status=Certificate.Status.VALID)
    if standing == "valid":
        return current & (Q(expires_on__isnull=True) | Q(expires_on__gt=on))
    if standing == "expired":
        return current & Q(expires_on__lte=on)
    return Q(status=standing)


def export_certificates(*, school: School, filters: ExportFilters, on: date) -> QuerySet:
    """The certificates of ``school`` that an evidence pack with ``filters`` holds."""
    qs = Certificate.objects.for_school(school)
    if filters.courses:
        qs = qs.filter(course__slug__in=filters.courses)
    if filters.completed_from:
        qs = qs.filter(completed_on__gte=filters.completed_from)
    if filters.completed_to:
        qs = qs.filter(completed_on__lte=filters.completed_to)
    if filters.staff_categories:
        qs = qs.filter(membership__staff_category__in=filters.staff_categories)
    if filters.statuses:
        wanted = Q(pk__in=[])
        for standing in filters.statuses:
            wanted |= _standing_q(standing, on)
        qs = qs.filter(wanted)
    return qs

from datetime import date

from django.db import models
from django.db.models import Q


class MembershipQuerySet(models.QuerySet):
    def for_school(self, school) -> "MembershipQuerySet":
        return self.filter(school=school)

    def active_on(self, on: date) -> "MembershipQuerySet":
        """Members who have started and not yet left on the given date."""
        return self.filter(started_on__lte=on).filter(Q(left_on__isnull=True) | Q(left_on__gt=on))

    def current(self, on: date) -> "MembershipQuerySet":
        """Members who have not left by the given date, including people starting later."""
        return self.filter(Q(left_on__isnull=True) | Q(left_on__gt=on))


class RequirementQuerySet(models.QuerySet):
    def for_school(self, school) -> "RequirementQuerySet":
        """Active requirements that can apply in this school: platform, its trust's, its own."""
        scope = Q(scope="platform") | Q(scope="school", school=school)
        if school.trust_id:
            scope |= Q(scope="trust", trust_id=school.trust_id)
        return self.filter(scope, is_active=True)

"""Reading the school's policies: which version of each is in force, who has confirmed
it, and what a person still has to read.

A version is in force from its effective date until a later one of the same policy takes
effect. A school's own policy of a kind replaces its trust's policy of that kind."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cpd.arrangements.selectors import arrangements_gaps, sheets_for_schools
from cpd.errors import NotFound
from cpd.models import Membership, Policy, PolicyConfirmation, PolicyVersion, School


def current_versions(*, schools: list[School], on: date) -> dict[int, list[PolicyVersion]]:
    """For each school, the version in force on ``on`` of each policy that applies there,
    in the order of the policy kinds: one query."""
    trust_ids = {s.trust_id for s in schools if s.trust_id}
    rows = (
        PolicyVersion.objects.filter(
            Q(policy__school_id__in=[s.pk for s in schools]) | Q(policy__trust_id__in=trust_ids),
            effective_on__lte=on,
        )
        .select_related("policy")
        .order_by("effective_on", "published_at", "pk")
    )
    latest: dict[int, PolicyVersion] = {}
    for row in rows:  # oldest first: the last seen is in force
        latest[row.policy_id] = row
    order = {kind: i for i, kind in enumerate(Policy.Kind.values)}
    found = {}
    for school in schools:
        by_kind: dict[str, PolicyVersion] = {}
        for version in latest.values():
            policy = version.policy
            if policy.trust_id and policy.trust_id == school.trust_id:
                by_kind.setdefault(policy.kind, version)
        for version in latest.values():
            if version.policy.school_id == school.pk:
                by_kind[version.policy.kind] = version  # the school's own replaces the trust's
        found[school.pk] = sorted(by_kind.values(), key=lambda v: order[v.policy.kind])
    return found


@dataclass
class PolicyEvidence:
    """What the compliance engine reads: the versions in force per school, and per
    membership the day each version was confirmed and the policies ever confirmed."""

    versions: dict[int, list[PolicyVersion]]
    confirmed: dict[int, dict[int, date]]
    policies_confirmed: dict[int, set[int]]


def policy_evidence(*, schools: list[School], on: date) -> PolicyEvidence:
    """Two queries, whatever the number of people."""
    versions = current_versions(schools=schools, on=on)
    confirmed: dict[int, dict[int, date]] = defaultdict(dict)
    policies: dict[int, set[int]] = defaultdict(set)
    for membership_id, version_id, policy_id, at in PolicyConfirmation.objects.filter(
        membership__school_id__in=[s.pk for s in schools]
    ).values_list("membership_id", "version_id", "version__policy_id", "at"):
        day = timezone.localdate(at)
        if day <= on:
            confirmed[membership_id][version_id] = day
            policies[membership_id].add(policy_id)
    return PolicyEvidence(versions, dict(confirmed), dict(policies))


@dataclass
class PolicyToRead:
    membership: Membership
    version: PolicyVersion
    confirmed_at: object | None


def policies_for_member(*, user, on: date) -> list[PolicyToRead]:
    """Each policy in force at each of the person's schools, with their confirmation of
    its current version if they have made one: three queries."""
    memberships = list(Membership.objects.filter(user=user).active_on(on).select_related("school"))
    if not memberships:
        return []
    versions = current_versions(schools=[m.school for m in memberships], on=on)
    wanted = [v.pk for vs in versions.values() for v in vs]
    confirmations = {
        (c.membership_id, c.version_id): c.at
        for c in PolicyConfirmation.objects.filter(
            membership__in=memberships, version_id__in=wanted
        )
    }
    return [
        PolicyToRead(m, v, confirmations.get((m.pk, v.pk)))
        for m in memberships
        for v in versions[m.school_id]
    ]


def policy_for_member(*, user, pk: int, on: date) -> PolicyToRead:
    """A policy version in force at one of the person's schools (the first such school);
    ``NotFound`` for any other version, another school's included."""
    for item in policies_for_member(user=user, on=on):
        if item.version.pk == pk:
            return item
    raise NotFound(_("No such policy."))


@dataclass
class PolicyLine:
    version: PolicyVersion
    confirmed: int
    staff: int
    upcoming: list[PolicyVersion]


def school_policy_lines(*, school: School, on: date) -> list[PolicyLine]:
    """The school's policies in force, each with how many current staff have confirmed
    its version, and versions published to take effect later."""
    versions = current_versions(schools=[school], on=on)[school.pk]
    staff = list(Membership.objects.for_school(school).active_on(on).values_list("pk", flat=True))
    counts = defaultdict(int)
    for version_id in PolicyConfirmation.objects.filter(
        version_id__in=[v.pk for v in versions], membership_id__in=staff
    ).values_list("version_id", flat=True):
        counts[version_id] += 1
    upcoming = defaultdict(list)
    for version in PolicyVersion.objects.filter(
        Q(policy__school=school) | Q(policy__trust_id=school.trust_id, policy__trust__isnull=False),
        effective_on__gt=on,
    ).select_related("policy"):
        upcoming[version.policy.kind].append(version)
    return [
        PolicyLine(v, counts[v.pk], len(staff), upcoming.get(v.policy.kind, [])) for v in versions
    ]


def policy_version_in_school(*, school: School, pk: int) -> PolicyVersion:
    """A version of the school's own or its trust's policy; ``NotFound`` otherwise."""
    trust = Q(policy__trust_id=school.trust_id) if school.trust_id else Q(pk__in=[])
    version = (
        PolicyVersion.objects.filter(Q(policy__school=school) | trust, pk=pk)
        .select_related("policy")
        .first()
    )
    if version is None:
        raise NotFound(_("No such policy."))
    return version


def confirmations_of(*, memberships) -> list[PolicyConfirmation]:
    """A person's confirmations (person page, subject access, evidence pack)."""
    return list(
        PolicyConfirmation.objects.filter(membership__in=memberships)
        .select_related("version__policy", "membership__school")
        .order_by("at", "pk")
    )


def confirmations_for_school(*, school: School) -> list[PolicyConfirmation]:
    """Every confirmation made by the school's staff, for its evidence pack."""
    return list(
        PolicyConfirmation.objects.for_school(school)
        .select_related("version__policy", "membership__user")
        .order_by("version__policy__kind", "version__effective_on", "membership__user__last_name",
                  "membership__user__first_name", "pk")
    )  # fmt: skip


def school_todos(*, schools: list[School], on: date) -> dict[int, list[str]]:
    """For each school, what its DSL still has to add so that staff can see who to tell
    and read the child protection policy: three queries, whatever the number of schools."""
    if not schools:
        return {}
    versions = current_versions(schools=schools, on=on)
    todos = {}
    for sheet in sheets_for_schools(schools=schools, on=on):
        gaps = arrangements_gaps(sheet)
        kinds = {v.policy.kind for v in versions[sheet.school.pk]}
        if Policy.Kind.CHILD_PROTECTION not in kinds:
            gaps.append(_("Staff have no child protection policy to read: publish it."))
        todos[sheet.school.pk] = gaps
    return todos


def trust_policy_versions(*, trust) -> list[PolicyVersion]:
    """Every version of the trust's own policies, latest first (its page)."""
    return list(
        PolicyVersion.objects.filter(policy__trust=trust)
        .select_related("policy")
        .order_by("policy__kind", "-effective_on", "-pk")
    )

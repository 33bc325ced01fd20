"""Who may sign in how: single sign-on and two-factor rules read from each school's and
trust's sign-in settings (cpd.models.SignInPolicy)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from cpd.models import Membership, School, SignInPolicy, TrustRole

# The roles that see other people's records, and so may be required to use two factors.
TWO_FACTOR_ROLES = (
    Membership.Role.DSL,
    Membership.Role.DEPUTY_DSL,
    Membership.Role.SCHOOL_ADMIN,
)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()


def _policies_q(*, school_ids, trust_ids) -> Q:
    return Q(school_id__in=school_ids) | Q(trust_id__in=trust_ids)


@dataclass(frozen=True)
class SingleSignOnCheck:
    """What a person's memberships say about one single sign-on."""

    schools: list  # the schools it lets them into
    current_schools: list  # every school they belong to now, allowed or not


def single_sign_on_check(*, user, provider: str, email: str, on: date) -> SingleSignOnCheck:
    """The schools (and trusts, through trust roles) where the person belongs on the day
    and whose settings allow this provider for this email address's domain."""
    memberships = list(Membership.objects.current(on).filter(user=user).select_related("school"))
    schools = [m.school for m in memberships]
    trust_ids = {s.trust_id for s in schools if s.trust_id}
    trust_ids |= set(TrustRole.objects.filter(user=user).values_list("trust_id", flat=True))
    policies = SignInPolicy.objects.filter(
        _policies_q(school_ids=[s.pk for s in schools], trust_ids=trust_ids)
    )
    domain = email_domain(email)
    allowing = [
        p
        for p in policies
        if provider.lower() in p.provider_list and (not p.domain_list or domain in p.domain_list)
    ]
    allowed_school_ids = {p.school_id for p in allowing if p.school_id}
    allowed_trust_ids = {p.trust_id for p in allowing if p.trust_id}
    allowed = [s for s in schools if s.pk in allowed_school_ids or s.trust_id in allowed_trust_ids]
    if allowed_trust_ids & set(
        TrustRole.objects.filter(user=user).values_list("trust_id", flat=True)
    ):
        # A trust admin may hold no membership: the trust itself lets them in.
        allowed = allowed or list(School.objects.filter(trust_id__in=allowed_trust_ids)[:1])
    return SingleSignOnCheck(schools=allowed, current_schools=schools)


def automatic_account_school(*, provider: str, email: str) -> School | None:
    """The school that lets someone it does not have yet join by signing in with this
    provider and an address on one of its domains, if one does."""
    domain = email_domain(email)
    for policy in SignInPolicy.objects.filter(
        school__isnull=False, automatic_accounts=True
    ).select_related("school"):
        if provider.lower() in policy.provider_list and domain in policy.domain_list:
            return policy.school
    return None


def schools_for_domain(*, email: str) -> list[School]:
    """Schools whose sign-in settings (their own or their trust's) name the address's
    domain: where someone refused should ask to be added."""
    domain = email_domain(email)
    schools = []
    for policy in SignInPolicy.objects.select_related("school", "trust"):
        if domain in policy.domain_list:
            if policy.school_id:
                schools.append(policy.school)
            else:
                schools.extend(policy.trust.schools.all())
    return sorted(set(schools), key=lambda s: s.name)


def two_factor_required(*, user, on: date) -> bool:
    """True if the person is a DSL, deputy or admin of a school, or an admin of a trust,
    whose sign-in settings (or its trust's) require two-factor authentication."""
    memberships = Membership.objects.current(on).filter(user=user, role__in=TWO_FACTOR_ROLES)
    requiring = SignInPolicy.objects.filter(require_two_factor=True)
    return (
        requiring.filter(
            Q(school__memberships__in=memberships) | Q(trust__schools__memberships__in=memberships)
        ).exists()
        or requiring.filter(trust__roles__user=user).exists()
    )

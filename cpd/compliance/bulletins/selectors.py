"""Bulletins: short safeguarding updates from the DSL that staff confirm they have read."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from cpd.errors import NotFound
from cpd.models import Bulletin, BulletinRead, Membership, School


def bulletins_for_school(*, school: School):
    return (
        Bulletin.objects.for_school(school)
        .select_related("posted_by")
        .annotate(read_count=Count("reads"))
        .order_by("-posted_at")
    )


def bulletin_in_school(*, school: School, pk: int) -> Bulletin:
    bulletin = Bulletin.objects.for_school(school).filter(pk=pk).select_related("posted_by").first()
    if bulletin is None:
        raise NotFound(_("No such bulletin."))
    return bulletin


@dataclass
class Readership:
    read: list[tuple[Membership, object]]
    unread: list[Membership]


def bulletin_readership(*, bulletin: Bulletin, on) -> Readership:
    """Who among the school's current staff has confirmed the bulletin, and who has not."""
    reads = {r.membership_id: r.at for r in BulletinRead.objects.filter(bulletin=bulletin)}
    staff = (
        Membership.objects.for_school(bulletin.school)
        .active_on(on)
        .select_related("user")
        .order_by("last_name", "first_name")
    )
    read, unread = [], []
    for membership in staff:
        if membership.pk in reads:
            read.append((membership, reads[membership.pk]))
        else:
            unread.append(membership)
    return Readership(read=read, unread=unread)


def bulletins_to_read(*, memberships: list[Membership]):
    """Bulletins from the person's schools, posted since they started, not yet confirmed."""
    if not memberships:
        return Bulletin.objects.none()
    mine = Q()
    for membership in memberships:
        mine |= Q(school_id=membership.school_id, posted_at__date__gte=membership.started_on)
    confirmed = BulletinRead.objects.filter(
        bulletin=OuterRef("pk"), membership__in=[m.pk for m in memberships]
    )
    return (
        Bulletin.objects.filter(mine)
        .exclude(Exists(confirmed))
        # Nobody is asked to confirm a bulletin they posted.
        .exclude(posted_by_id=memberships[0].user_id)
        .select_related("school")
        .order_by("-posted_at")
    )


def bulletin_for_member(*, user, pk: int, on) -> tuple[Bulletin, Membership]:
    """A bulletin of one of the person's current schools, with that membership."""
    bulletin = Bulletin.objects.filter(pk=pk).select_related("school").first()
    membership = (
        Membership.objects.filter(user=user, school_id=getattr(bulletin, "school_id", None))
        .active_on(on)
        .first()
    )
    if bulletin is None or membership is None:
        raise NotFound(_("No such bulletin."))
    return bulletin, membership

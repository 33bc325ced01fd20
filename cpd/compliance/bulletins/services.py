from django.db import IntegrityError, transaction

from cpd.audit.services import audit_record
from cpd.models import Bulletin, BulletinRead, Membership, School
from cpd.signals import compliance_changed_after_commit


@transaction.atomic
def bulletin_post(*, school: School, actor, title: str, body: str) -> Bulletin:
    bulletin = Bulletin.objects.create(school=school, posted_by=actor, title=title, body=body)
    audit_record(actor=actor, action="cpd.bulletin.posted", target=bulletin, school=school)
    return bulletin


def bulletin_confirm(*, bulletin: Bulletin, membership: Membership) -> BulletinRead:
    """Record that the person has read the bulletin; a second confirmation changes nothing."""
    try:
        with transaction.atomic():
            read = BulletinRead.objects.create(bulletin=bulletin, membership=membership)
            compliance_changed_after_commit(
                sender=BulletinRead,
                reason="bulletin_confirmed",
                user_ids=[membership.user_id],
                school_ids=[membership.school_id],
            )
            return read
    except IntegrityError:
        return BulletinRead.objects.get(bulletin=bulletin, membership=membership)

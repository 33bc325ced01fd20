"""Guidance editions as data: which edition of each guidance is in force from when."""

from datetime import date

from django.core.cache import cache
from django.db import transaction

from courses.models import GuidanceEdition
from courses.selectors import GUIDANCE_EDITIONS_KEY


@transaction.atomic
def guidance_editions_save(
    *, series: str, editions: list[tuple[str, date]]
) -> list[GuidanceEdition]:
    """Create or update the named editions of one guidance (``KCSIE``), each with the day it
    came into force. Editions not listed are left alone: another rule pack may list them."""
    saved = []
    for name, in_force_from in editions:
        edition, _ = GuidanceEdition.objects.update_or_create(
            name=name, defaults={"series": series, "in_force_from": in_force_from}
        )
        saved.append(edition)
    # Now, for this transaction's own reads, and after the commit, for everyone else's.
    cache.delete(GUIDANCE_EDITIONS_KEY)
    transaction.on_commit(lambda: cache.delete(GUIDANCE_EDITIONS_KEY))
    return saved

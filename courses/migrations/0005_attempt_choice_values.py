"""Attempts served before choices had values of their own carry only the choices' ids in
``served``. Give each of their questions random values, as ``attempt_start`` now draws, so
that every attempt has one shape: a submitted one still shows its review (its answers name
their choices directly); an open one is shown again under the new values (an answer sent
from a page served before the change is refused with the form's message, and asked again)."""

import random

from django.db import migrations


def add_values(apps, schema_editor):
    Attempt = apps.get_model("courses", "Attempt")
    rng = random.SystemRandom()
    for attempt in Attempt.objects.all().iterator(chunk_size=500):
        if all("values" in item for item in attempt.served):
            continue
        for item in attempt.served:
            if "values" not in item:
                drawn = rng.sample(range(2**32), len(item["choices"]))
                item["values"] = [f"{number:08x}" for number in drawn]
        attempt.save(update_fields=["served"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_acknowledgement_documents"),
    ]

    operations = [
        migrations.RunPython(add_values, migrations.RunPython.noop, elidable=True),
    ]

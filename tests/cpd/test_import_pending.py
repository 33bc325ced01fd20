"""The staff import as one use case: the preview keeps the file in storage, applying takes
it back (refused when the staff changed since the preview), and a pending import belongs
to one school and one person. The service first, then the pages."""

import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cpd.errors import Conflict, NotFound
from cpd.models import AuditEvent, Membership
from cpd.people.imports.pending import (
    staff_import_apply,
    staff_import_at_once,
    staff_import_pending,
    staff_import_preview,
    staff_imports_expired_delete,
)
from cpd.people.imports.rows import Problem, StaffImportError
from tests.factories import MembershipFactory, SchoolFactory, TrustRoleFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]

CSV = (
    b"email,first name,last name,role,staff category,job title,start date\n"
    b"amy.patel@oakwood.test,Amy,Patel,staff,teaching,Class teacher,2024-09-01\n"
)


def kept(school, token) -> bool:
    return default_storage.exists(f"staff-imports/{school.pk}/{token}")


def pending_files(media) -> list[str]:
    return sorted(
        str(path.relative_to(media)) for path in media.glob("staff-imports/*/*") if path.is_file()
    )


def people(school) -> list[str]:
    return list(
        Membership.objects.for_school(school)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def test_preview_keeps_the_file_in_storage_and_apply_deletes_it(
    school, admin, media, django_capture_on_commit_callbacks
):
    pending = staff_import_preview(
        school=school, actor=admin.user, content=CSV, filename="staff.csv"
    )
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", pending.token
    )
    assert pending_files(media) == [f"staff-imports/{school.pk}/{pending.token}"]
    with default_storage.open(f"staff-imports/{school.pk}/{pending.token}", "rb") as stored:
        _header, kept = stored.read().split(b"\n")
    # What was read, once: the checked rows, not the upload's bytes.
    assert json.loads(kept)["rows"] == [
        {
            "row": 2,
            "email": "amy.patel@oakwood.test",
            "first_name": "Amy",
            "last_name": "Patel",
            "role": "staff",
            "staff_category": "teaching",
            "job_title": "Class teacher",
            "started_on": "2024-09-01",
            "left_on": None,
        }
    ]
    assert CSV not in kept
    assert [r.email for r in pending.plan.adds] == ["amy.patel@oakwood.test"]
    assert pending.fingerprint == pending.plan.fingerprint == pending.previewed_fingerprint
    assert people(school) == ["head@oakwood.test"]

    with django_capture_on_commit_callbacks(execute=True):
        plan = staff_import_apply(
            school=school, actor=admin.user, token=pending.token, fingerprint=pending.fingerprint
        )
    assert [r.email for r in plan.adds] == ["amy.patel@oakwood.test"]
    assert people(school) == ["amy.patel@oakwood.test", "head@oakwood.test"]
    assert pending_files(media) == []
    with pytest.raises(NotFound):
        staff_import_apply(
            school=school, actor=admin.user, token=pending.token, fingerprint=pending.fingerprint
        )


def test_apply_refuses_a_stale_fingerprint_and_changes_nothing(school, admin):
    pending = staff_import_preview(school=school, actor=admin.user, content=CSV)
    MembershipFactory(school=school, user__email="amy.patel@oakwood.test", job_title="TA")
    events = AuditEvent.objects.count()
    with pytest.raises(Conflict) as caught:
        staff_import_apply(
            school=school, actor=admin.user, token=pending.token, fingerprint=pending.fingerprint
        )
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        409,
        "stale_preview",
        "The school's staff list changed after the file was checked. Check the changes "
        "again before importing them.",
    )
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == "TA"
    assert AuditEvent.objects.count() == events
    assert kept(school, pending.token)

    # Looked at again, the plan is an update, with a new fingerprint that applies.
    again = staff_import_pending(school=school, actor=admin.user, token=pending.token)
    assert (len(again.plan.adds), len(again.plan.updates)) == (0, 1)
    assert again.fingerprint != pending.fingerprint
    assert again.previewed_fingerprint == pending.fingerprint
    staff_import_apply(
        school=school, actor=admin.user, token=pending.token, fingerprint=again.fingerprint
    )
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == (
        "Class teacher"
    )


def test_a_pending_import_belongs_to_its_school_and_person(school, trust, admin):
    sister = SchoolFactory(trust=trust, slug="sister")
    trust_admin = TrustRoleFactory(trust=trust, user=UserFactory()).user
    pending = staff_import_preview(school=school, actor=trust_admin, content=CSV)
    attempts = [
        {"school": sister, "actor": trust_admin, "token": pending.token},  # another school
        {"school": school, "actor": admin.user, "token": pending.token},  # another person
        {"school": school, "actor": trust_admin, "token": f"../{school.pk}/{pending.token}"},
        {"school": school, "actor": trust_admin, "token": "not-a-token"},
    ]
    for attempt in attempts:
        with pytest.raises(NotFound) as caught:
            staff_import_pending(**attempt)
        assert caught.value.code == "import_not_found"
        with pytest.raises(NotFound):
            staff_import_apply(**attempt, fingerprint=pending.fingerprint)
    assert people(school) == ["head@oakwood.test"]
    assert kept(school, pending.token)


def test_an_unreadable_file_is_refused_and_not_kept(school, admin, media):
    with pytest.raises(StaffImportError) as caught:
        staff_import_preview(school=school, actor=admin.user, content=b"email\n")
    assert caught.value.problems[0].row == 1
    assert pending_files(media) == []


def test_at_once_with_a_bad_row_changes_nothing_and_keeps_nothing(school, admin, media):
    content = CSV.replace(b"2024-09-01", b"2024-13-01")
    with pytest.raises(StaffImportError) as caught:
        staff_import_at_once(school=school, actor=admin.user, content=content)
    assert caught.value.problems == [
        Problem(
            2,
            "start date",
            '"2024-13-01" is not a date. Use YYYY-MM-DD or DD/MM/YYYY, for example 2024-09-01 '
            "or 01/09/2024.",
        )
    ]
    assert people(school) == ["head@oakwood.test"]
    assert pending_files(media) == []


def test_pending_imports_expire_after_a_day_and_the_next_preview_deletes_them(
    school, other_school, admin, media
):
    other_admin = MembershipFactory(school=other_school, role=Membership.Role.SCHOOL_ADMIN)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = staff_import_preview(school=other_school, actor=other_admin.user, content=CSV)
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        recent = staff_import_preview(school=school, actor=admin.user, content=CSV)
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        with pytest.raises(NotFound):
            staff_import_pending(school=other_school, actor=other_admin.user, token=old.token)
        assert not kept(other_school, old.token)  # an expired one is deleted when asked for
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        old = staff_import_preview(school=other_school, actor=other_admin.user, content=CSV)
    with time_machine.travel(start + timedelta(hours=47, minutes=30), tick=False):
        newest = staff_import_preview(school=school, actor=admin.user, content=CSV)
    assert pending_files(media) == [f"staff-imports/{school.pk}/{newest.token}"]
    assert not kept(school, recent.token)
    assert staff_imports_expired_delete() == 0


# -- the pages -----------------------------------------------------------------------------


def upload(client, school, content: bytes = CSV):
    data = {"file": io.BytesIO(content)}
    data["file"].name = "staff.csv"
    return client.post(f"/schools/{school.slug}/staff/import/", data)


def shown_fingerprint(page) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page.content.decode())[1]


def test_staff_import_page_keeps_the_file_in_storage_not_in_the_session(
    sign_in, school, admin, media, django_capture_on_commit_callbacks
):
    client = sign_in(admin)
    preview_url = upload(client, school)["Location"]
    token = preview_url.rstrip("/").rsplit("/", 1)[1]
    assert pending_files(media) == [f"staff-imports/{school.pk}/{token}"]
    assert list(client.session.get("cpd_staff_imports")) == [[school.pk, token]]
    assert CSV.decode() not in str(dict(client.session.items()))
    fingerprint = shown_fingerprint(client.get(preview_url))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url, {"fingerprint": fingerprint})
    assert response["Location"] == f"/schools/{school.slug}/staff/"
    assert people(school) == ["amy.patel@oakwood.test", "head@oakwood.test"]
    assert pending_files(media) == []


def test_staff_import_page_refuses_a_stale_preview_and_shows_the_new_one(
    sign_in, school, admin, django_capture_on_commit_callbacks
):
    client = sign_in(admin)
    preview_url = upload(client, school)["Location"]
    fingerprint = shown_fingerprint(client.get(preview_url))
    MembershipFactory(school=school, user__email="amy.patel@oakwood.test", job_title="TA")
    events = AuditEvent.objects.count()

    response = client.post(preview_url, {"fingerprint": fingerprint}, follow=True)
    assert response.redirect_chain == [(preview_url, 302)]
    body = response.content.decode()
    assert "The school&#x27;s staff list changed after the file was checked." in body
    assert "People to update" in body and "People to add" not in body
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == "TA"
    assert AuditEvent.objects.count() == events

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(preview_url, {"fingerprint": shown_fingerprint(response)})
    assert response["Location"] == f"/schools/{school.slug}/staff/"
    assert Membership.objects.get(user__email="amy.patel@oakwood.test").job_title == (
        "Class teacher"
    )


def test_staff_import_page_another_schools_token_is_not_found(
    sign_in, client, school, trust, admin
):
    sister = SchoolFactory(trust=trust, slug="sister")
    trust_admin = TrustRoleFactory(trust=trust, user=UserFactory()).user
    client = sign_in(trust_admin)
    token = upload(client, school)["Location"].rstrip("/").rsplit("/", 1)[1]
    sister_url = f"/schools/{sister.slug}/staff/import/{token}/"
    assert client.get(sister_url).status_code == 404
    assert client.post(sister_url).status_code == 404
    # Another admin of the school, in their own browser: not theirs either.
    client.logout()
    client = sign_in(admin)
    own_url = f"/schools/{school.slug}/staff/import/{token}/"
    assert client.get(own_url).status_code == 404
    assert client.post(own_url).status_code == 404
    assert people(school) == ["head@oakwood.test"]
    assert Membership.objects.filter(school=sister).count() == 0


def test_preview_page_plans_from_the_kept_rows_without_reading_the_file_again(school, admin, media):
    pending = staff_import_preview(
        school=school, actor=admin.user, content=CSV, filename="staff.csv"
    )
    path = f"staff-imports/{school.pk}/{pending.token}"
    with default_storage.open(path, "rb") as stored:
        header, kept = stored.read().split(b"\n")
    rows = json.loads(kept)
    rows["rows"][0]["first_name"] = "Kept"
    default_storage.delete(path)
    default_storage.save(path, ContentFile(header + b"\n" + json.dumps(rows).encode()))
    again = staff_import_pending(school=school, actor=admin.user, token=pending.token)
    assert [(r.email, r.first_name) for r in again.plan.adds] == [
        ("amy.patel@oakwood.test", "Kept")
    ]

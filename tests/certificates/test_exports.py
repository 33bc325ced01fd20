"""Evidence packs: filters, the ZIP's layout, manifest hashes, progress, expiry, audit and
leaks between schools."""

import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from certificates.models import Export
from cpd.compliance.evidence.building import pack_path
from cpd.compliance.evidence.selectors import ExportFilters, export_certificates
from cpd.models import AuditEvent, Membership
from tests.certificates.conftest import pdf_lines, stored_bytes, text_of
from tests.factories import (
    CertificateFactory,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db

# Standing (valid or expired) is judged on the day the pack is built: dates relative to now.
RECENT = timezone.now() - timedelta(days=10)
EARLIER = timezone.now() - timedelta(days=40)


@pytest.fixture
def induction_version(db):
    return CourseVersionFactory(course__slug="safeguarding-induction",
                                course__title="Safeguarding induction")  # fmt: skip


@pytest.fixture
def pack_people(member, version, induction_version, issue, other_school):
    """Three people at Oakwood with four certificates, and one at Hillside."""
    amara = member("Amara", "Okonkwo")
    ben = member("Ben", "Carter", staff_category=Membership.StaffCategory.SUPPORT)
    zoe = member("Zoë", "Ångström", staff_category=Membership.StaffCategory.GOVERNOR)
    old = datetime(2024, 9, 2, 9, tzinfo=UTC)
    certificates = {
        "amara-grooming": issue(membership=amara, version=version, completed_at=RECENT),
        "amara-induction": issue(membership=amara, version=induction_version, completed_at=old),
        "ben-grooming": issue(membership=ben, version=version, completed_at=EARLIER),
        "zoe-induction": issue(membership=zoe, version=induction_version, completed_at=RECENT),
    }
    outsider = MembershipFactory(school=other_school, user__first_name="Olly",
                                 user__last_name="Outsider")  # fmt: skip
    certificates["outsider"] = issue(membership=outsider, version=version)
    return certificates


def build(client, school, data, capture):
    with capture(execute=True):
        response = client.post(f"/schools/{school.slug}/evidence/", data)
    assert response.status_code == 302
    export = Export.objects.get()
    assert response["Location"] == f"/schools/{school.slug}/evidence/{export.pk}/"
    return export


def download(client, export) -> bytes:
    response = client.get(f"/schools/{export.school.slug}/evidence/{export.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_pack_holds_pdfs_manifest_and_summary_with_matching_hashes(
    client, dsl, school, pack_people, version, sign_in, django_capture_on_commit_callbacks
):
    RequirementFactory(name="Annual update", course=version.course)
    sign_in(dsl)
    export = build(client, school, {}, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    data = download(client, export)

    assert (export.status, export.progress, export.certificate_count) == ("ready", 100, 4)
    assert hashlib.sha256(data).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    c = pack_people
    assert archive.namelist() == [
        f"oakwood-primary/recognising-grooming/okonkwo-amara-{c['amara-grooming'].serial.lower()}.pdf",
        f"oakwood-primary/recognising-grooming/carter-ben-{c['ben-grooming'].serial.lower()}.pdf",
        f"oakwood-primary/safeguarding-induction/okonkwo-amara-{c['amara-induction'].serial.lower()}.pdf",
        f"oakwood-primary/safeguarding-induction/angstrom-zoe-{c['zoe-induction'].serial.lower()}.pdf",
        "oakwood-primary/manifest.csv",
        "oakwood-primary/policy-confirmations.csv",
        "oakwood-primary/summary.pdf",
    ]  # fmt: skip
    manifest = list(
        csv.DictReader(
            io.StringIO(archive.read("oakwood-primary/manifest.csv").decode("utf-8-sig"))
        )
    )
    assert len(manifest) == 4
    for row in manifest:
        certificate = next(x for x in c.values() if x.serial == row["serial"])
        in_zip = archive.read(row["path"])
        assert row["sha256"] == hashlib.sha256(in_zip).hexdigest() == certificate.pdf_sha256
        assert in_zip == stored_bytes(certificate)
        assert row["matches_issued_sha256"] == "yes"
    assert [(r["surname"], r["forename"], r["staff_category"], r["status"]) for r in manifest] == [
        ("Okonkwo", "Amara", "teaching", "valid"),
        ("Carter", "Ben", "support", "valid"),
        ("Okonkwo", "Amara", "teaching", "expired"),
        ("Ångström", "Zoë", "governor", "valid"),
    ]
    assert manifest[0]["verification_url"] == (
        f"https://cpd.example.org/verify/{c['amara-grooming'].verification_code}/"
    )
    summary = " ".join(pdf_lines(archive.read("oakwood-primary/summary.pdf")))
    assert summary.startswith("Safeguarding training evidence: Oakwood Primary School Compliance")
    assert "4 certificates, each with its SHA-256 in manifest.csv." in summary
    assert "Valid Expired Revoked Replaced 3 1 0 0" in summary
    assert "Annual update 0 0 2 0 0 0 2" in summary  # Amara and Ben up to date; Zoë, David not
    assert "50% of requirements are up to date. 2 of 4 staff fully up to date." in summary
    # Every member of staff, with each requirement's status and the certificate behind it.
    people = summary[summary.index("Every member of staff") :]
    assert people.startswith(
        "Every member of staff Name Role Annual update "
        f"Carter, Ben Staff Support staff Up to date {c['ben-grooming'].serial} until "
    )
    expiry = c["amara-grooming"].expires_on.strftime("%-d %b %Y")
    # (The PDF's text comes back with "T eaching": kerning, not a typo.)
    names = ["Carter, Ben", "Okafor, David", "Okonkwo, Amara", "Ångström, Zoë"]
    assert [people.index(name) for name in names] == sorted(people.index(n) for n in names)
    amara = people[people.index("Okonkwo, Amara") : people.index("Ångström, Zoë")]
    assert amara.endswith(f"Up to date {c['amara-grooming'].serial} until {expiry} ")
    assert people.index("Ångström, Zoë Staff Governor Not started") > 0


def test_export_is_audited(client, dsl, school, pack_people, sign_in,
                           django_capture_on_commit_callbacks):  # fmt: skip
    sign_in(dsl)
    export = build(client, school, {"statuses": ["valid"]}, django_capture_on_commit_callbacks)
    download(client, export)

    events = AuditEvent.objects.filter(action__startswith="certificates.export.").order_by("pk")
    assert [(e.action, e.actor, e.school, e.target_id) for e in events] == [
        ("certificates.export.requested", dsl.user, school, str(export.pk)),
        ("certificates.export.built", dsl.user, school, str(export.pk)),
        ("certificates.export.downloaded", dsl.user, school, str(export.pk)),
    ]
    assert events[0].data["filters"]["statuses"] == ["valid"]
    assert events[1].data["certificates"] == 3


def test_filters_by_course_dates_category_and_status(school, pack_people):
    c = pack_people
    on = timezone.localdate()

    def serials(**filters):
        qs = export_certificates(school=school, filters=ExportFilters(**filters), on=on)
        return sorted(qs.values_list("serial", flat=True))

    def expected(*keys):
        return sorted(c[k].serial for k in keys)

    assert serials() == expected("amara-grooming", "amara-induction", "ben-grooming",
                                 "zoe-induction")  # fmt: skip
    assert serials(courses=["safeguarding-induction"]) == expected("amara-induction",
                                                                   "zoe-induction")  # fmt: skip
    earlier = timezone.localdate(EARLIER)
    window = {"completed_from": earlier, "completed_to": earlier + timedelta(days=1)}
    assert serials(**window) == expected("ben-grooming")
    assert serials(completed_to=earlier - timedelta(days=1)) == expected("amara-induction")
    categories = ["support", "governor"]
    assert serials(staff_categories=categories) == expected("ben-grooming", "zoe-induction")
    assert serials(statuses=["expired"]) == expected("amara-induction")
    assert serials(statuses=["valid"], staff_categories=["teaching"]) == expected("amara-grooming")


def test_filter_by_revoked_and_superseded(school, staff):
    revoked = CertificateFactory(enrolment__membership=staff, status="revoked")
    superseded = CertificateFactory(enrolment__membership=staff, status="superseded")
    CertificateFactory(enrolment__membership=staff)
    on = date(2026, 6, 1)
    qs = export_certificates(school=school, filters=ExportFilters(statuses=["revoked"]), on=on)
    assert list(qs) == [revoked]
    qs = export_certificates(school=school, filters=ExportFilters(statuses=["superseded"]), on=on)
    assert list(qs) == [superseded]


def test_pack_path_is_slugified():
    assert pack_path(school_slug="oakwood-primary", course_slug="recognising-grooming",
                     surname="O'Brien-Núñez", forename="Siobhán Á",
                     serial="CPD-2026-000123") == (
        "oakwood-primary/recognising-grooming/obrien-nunez-siobhan-a-cpd-2026-000123.pdf"
    )  # fmt: skip
    assert pack_path(school_slug="s", course_slug="c", surname="الزهراء", forename="فاطمة",
                     serial="CPD-1") == "s/c/الزهراء-فاطمة-cpd-1.pdf"  # fmt: skip


def test_download_link_expires(client, dsl, school, pack_people, sign_in, settings,
                               django_capture_on_commit_callbacks):  # fmt: skip
    settings.CPD_EXPORT_TTL_HOURS = 2
    sign_in(dsl)
    before = timezone.now()
    export = build(client, school, {}, django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert before + timedelta(hours=2) <= export.expires_at <= timezone.now() + timedelta(hours=2)

    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/schools/{school.slug}/evidence/{export.pk}/download/")

    assert response.status_code == 410
    assert text_of(response).startswith("This download link has expired")
    status_page = client.get(f"/schools/{school.slug}/evidence/{export.pk}/")
    assert "This evidence pack's download link has expired." in text_of(status_page)


def test_status_page_refreshes_only_while_building(client, dsl, school, sign_in):
    sign_in(dsl)
    export = Export.objects.create(school=school, requested_by=dsl.user, progress=40,
                                   status=Export.Status.RUNNING)  # fmt: skip
    url = f"/schools/{school.slug}/evidence/{export.pk}/"

    running = client.get(url)
    assert running["Refresh"] == "3"
    assert "Being built: 40% done." in text_of(running)
    assert "<script" not in running.content.decode().split('<main id="main"', 1)[1]

    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.READY, progress=100, expires_at=timezone.now() + timedelta(hours=1)
    )
    ready = client.get(url)
    assert ready.has_header("Refresh") is False
    assert "Ready: 0 certificates." in text_of(ready)


def test_another_school_cannot_see_or_download_a_pack(
    client, dsl, school, other_school, pack_people, sign_in, django_capture_on_commit_callbacks
):
    sign_in(dsl)
    export = build(client, school, {}, django_capture_on_commit_callbacks)
    other_dsl = MembershipFactory(school=other_school, role=Membership.Role.DSL)
    sign_in(other_dsl)

    base = f"/schools/{school.slug}/evidence/"
    assert client.get(base).status_code == 404
    assert client.post(base, {}).status_code == 404
    assert client.get(f"{base}{export.pk}/").status_code == 404
    assert client.get(f"{base}{export.pk}/download/").status_code == 404
    # Nor through their own school's address.
    own = f"/schools/{other_school.slug}/evidence/{export.pk}/"
    assert client.get(own).status_code == 404
    assert client.get(f"{own}download/").status_code == 404
    # Their own pack holds only their school's certificate.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/schools/{other_school.slug}/evidence/", {})
    theirs = Export.objects.get(school=other_school)
    names = zipfile.ZipFile(io.BytesIO(download(client, theirs))).namelist()
    assert names == [
        f"hillside/recognising-grooming/outsider-olly-{pack_people['outsider'].serial.lower()}.pdf",
        "hillside/manifest.csv",
        "hillside/policy-confirmations.csv",
        "hillside/summary.pdf",
    ]


def test_staff_cannot_ask_for_a_pack(client, staff, school, sign_in):
    sign_in(staff)
    assert client.get(f"/schools/{school.slug}/evidence/").status_code == 403


def test_bad_date_range_shows_the_error_summary(client, dsl, school, sign_in):
    sign_in(dsl)
    response = client.post(
        f"/schools/{school.slug}/evidence/",
        {"completed_from": "2026-02-01", "completed_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert text_of(response).startswith(
        "There is a problem The end of the date range must be on or after its start."
    )
    assert Export.objects.count() == 0


def test_pack_is_built_after_commit_not_while_the_request_waits(
    client, dsl, school, pack_people, sign_in, django_capture_on_commit_callbacks
):
    sign_in(dsl)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/schools/{school.slug}/evidence/", {})
    export = Export.objects.get()
    assert (export.status, export.progress, export.file.name) == ("queued", 0, "")
    assert len(callbacks) == 1

    callbacks[0]()

    export.refresh_from_db()
    assert (export.status, export.progress, export.certificate_count) == ("ready", 100, 4)

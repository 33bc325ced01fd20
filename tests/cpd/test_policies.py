"""The school's own policies: published as a PDF or text, confirmed by staff with the
version and a hash, asked again at a new version, and counted as a requirement."""

import hashlib
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cpd.arrangements.policies import current_versions, policies_for_member
from cpd.arrangements.services import policy_confirm, policy_publish
from cpd.compliance.engine import compliance_rows
from cpd.compliance.evidence.building import policy_confirmations_csv
from cpd.compliance.reminders.services import reminders_send
from cpd.compliance.selectors import compliance_matrix
from cpd.compliance.standing import Status, renew_in_month_ends
from cpd.errors import Refused
from cpd.models import (
    AuditEvent,
    Membership,
    Policy,
    PolicyConfirmation,
    PolicyVersion,
    Requirement,
)
from cpd.privacy.selectors import subject_access_data
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
PDF = b"%PDF-1.7\n% Oakwood child protection policy\n"


def at_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)


@pytest.fixture
def policies_rule(db):
    """The KCSIE pack's rule: at induction (14 days) and each September."""
    return Requirement.objects.create(
        name="Read and confirm the school's policies", scope="platform", kind="policies",
        renewal_month=9, induction_days=14, due_soon_days=30,
    )  # fmt: skip


def publish(school=None, *, version="1", effective_on=date(2025, 9, 1), kind="child_protection",
            trust=None, **extra):  # fmt: skip
    return policy_publish(
        actor=None, school=school, trust=trust, kind=kind, title=extra.pop("title", "Policy"),
        version=version, effective_on=effective_on, **({"pdf": PDF} | extra),
    )  # fmt: skip


def confirm(version, membership, day: date):
    with time_machine.travel(at_noon(day), tick=False):
        return policy_confirm(version=version, membership=membership)


def status(membership, on: date):
    membership = Membership.objects.select_related("school").get(pk=membership.pk)
    rows = [
        r for r in compliance_rows(memberships=[membership], on=on) if r.requirement.is_policies
    ]
    return [(r.status, r.due_on) for r in rows]


def test_a_pdf_policy_is_stored_with_its_hash_under_a_pdf_name(school, media):
    version = publish(school, title="Child protection policy")
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.file.name.startswith(f"policies/school-{school.pk}/")
    assert version.file.name.endswith(".pdf")
    assert version.file.read() == PDF
    event = AuditEvent.objects.get(action="cpd.policy.published")
    assert (event.school, event.data["version"], event.data["sha256"]) == (
        school, "1", version.sha256,
    )  # fmt: skip


def test_a_written_policy_is_hashed_from_its_text(school):
    version = publish(school, kind="behaviour", pdf=None, text="## Our behaviour policy")
    assert (version.file.name, version.sha256) == (
        "", hashlib.sha256(b"## Our behaviour policy").hexdigest(),
    )  # fmt: skip


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(school, dsl, sign_in, media):
    upload = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    response = sign_in(dsl).post(
        reverse("cpd:school_policies", kwargs={"slug": school.slug}),
        {"kind": "child_protection", "title": "Child protection", "version": "1",
         "effective_on": "1/9/2026", "file": upload},
    )  # fmt: skip
    assert response.status_code == 400
    assert "The file must be a PDF. This file&#x27;s contents are not a PDF" in (
        response.content.decode()
    )
    assert not PolicyVersion.objects.exists()
    assert list(media.rglob("*.pdf")) == []


def test_the_dsl_publishes_a_policy_through_the_page(school, dsl, sign_in, media):
    upload = SimpleUploadedFile("anything.bin", PDF, "application/octet-stream")
    response = sign_in(dsl).post(
        reverse("cpd:school_policies", kwargs={"slug": school.slug}),
        {"kind": "child_protection", "title": "Child protection", "version": "3",
         "effective_on": "1/9/2026", "file": upload},
    )  # fmt: skip
    assert response.status_code == 302
    version = PolicyVersion.objects.get()
    assert (version.policy.school, version.version, version.effective_on, version.sha256) == (
        school, "3", date(2026, 9, 1), hashlib.sha256(PDF).hexdigest(),
    )  # fmt: skip


def test_staff_may_not_publish(school, staff, sign_in):
    response = sign_in(staff).post(
        reverse("cpd:school_policies", kwargs={"slug": school.slug}), {"text": "x"}
    )
    assert response.status_code == 403
    assert not PolicyVersion.objects.exists()


def test_publishing_the_same_version_twice_is_refused(school):
    publish(school, version="1")
    with pytest.raises(Refused, match="Version 1 of this policy is already published"):
        publish(school, version="1", pdf=None, text="again")
    assert PolicyVersion.objects.count() == 1


def test_confirming_records_version_time_and_hash(school, staff, sign_in):
    version = publish(school)
    with time_machine.travel(at_noon(date(2026, 10, 5)), tick=False):
        response = sign_in(staff).post(reverse("cpd:policy_confirm", kwargs={"pk": version.pk}))
        sign_in(staff).post(reverse("cpd:policy_confirm", kwargs={"pk": version.pk}))  # again
    assert response.status_code == 302
    c = PolicyConfirmation.objects.get()
    assert (c.membership, c.version, c.at, c.sha256) == (
        staff, version, at_noon(date(2026, 10, 5)), version.sha256,
    )  # fmt: skip


def test_a_new_version_asks_everyone_again(school, staff, policies_rule):
    first = publish(school, version="1", effective_on=date(2025, 9, 1))
    confirm(first, staff, date(2025, 9, 10))
    assert status(staff, date(2026, 1, 10)) == [(Status.COMPLIANT, date(2026, 10, 1))]
    second = publish(school, version="2", effective_on=date(2026, 1, 12))
    # Before it takes effect, nothing changes; from then, two weeks to read it again.
    assert status(staff, date(2026, 1, 11)) == [(Status.COMPLIANT, date(2026, 10, 1))]
    assert status(staff, date(2026, 1, 12)) == [(Status.DUE_SOON, date(2026, 1, 26))]
    assert status(staff, date(2026, 1, 26)) == [(Status.DUE_SOON, date(2026, 1, 26))]
    assert status(staff, date(2026, 1, 27)) == [(Status.OVERDUE, date(2026, 1, 26))]
    [item] = policies_for_member(user=staff.user, on=date(2026, 1, 20))
    assert (item.version, item.confirmed_at) == (second, None)
    confirm(second, staff, date(2026, 1, 28))
    assert status(staff, date(2026, 1, 28)) == [(Status.COMPLIANT, date(2026, 10, 1))]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 9, 2), (Status.INDUCTION_DUE, date(2026, 9, 15))),  # joined yesterday
        (date(2026, 9, 15), (Status.INDUCTION_DUE, date(2026, 9, 15))),  # the last day
        (date(2026, 9, 16), (Status.OVERDUE, date(2026, 9, 15))),  # a day late
    ],
)
def test_a_new_member_must_confirm_within_induction(school, policies_rule, on, expected):
    publish(school, effective_on=date(2025, 9, 1))
    newcomer = MembershipFactory(school=school, started_on=date(2026, 9, 1))
    assert status(newcomer, on) == [expected]


def test_having_confirmed_some_of_the_policies_is_in_progress(school, policies_rule):
    first = publish(school, kind="child_protection")
    publish(school, kind="code_of_conduct")
    newcomer = MembershipFactory(school=school, started_on=date(2026, 9, 1))
    confirm(first, newcomer, date(2026, 9, 2))
    assert status(newcomer, date(2026, 9, 3)) == [(Status.IN_PROGRESS, date(2026, 9, 15))]


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 8, 31), Status.COMPLIANT),
        (date(2026, 9, 1), Status.DUE_SOON),  # each September: read them again
        (date(2026, 9, 30), Status.DUE_SOON),
        (date(2026, 10, 1), Status.EXPIRED),
    ],
)
def test_confirmations_are_renewed_each_september(school, staff, policies_rule, on, expected):
    version = publish(school, effective_on=date(2025, 9, 1))
    confirm(version, staff, date(2025, 9, 10))
    assert status(staff, on) == [(expected, date(2026, 10, 1))]


@pytest.mark.parametrize(
    ("done", "ends"),
    [
        (date(2025, 8, 20), date(2025, 10, 1)),  # read in August: again in the September after
        (date(2025, 9, 1), date(2026, 10, 1)),  # read in September: counts for the year
        (date(2025, 12, 31), date(2026, 10, 1)),
    ],
)
def test_renewal_in_a_month_ends_after_the_next_such_month(done, ends):
    assert renew_in_month_ends(done, 9) == ends


def test_no_policy_published_means_nothing_to_confirm(school, staff, policies_rule):
    assert status(staff, date(2026, 10, 1)) == []


def test_a_trust_policy_applies_to_all_its_schools_until_a_school_has_its_own(
    school, trust, other_school
):
    sister = SchoolFactory(trust=trust, name="Riverside Academy")
    trust_wide = publish(trust=trust, kind="whistleblowing", title="Trust whistleblowing")
    own = publish(school, kind="whistleblowing", title="Oakwood whistleblowing")
    found = current_versions(schools=[school, sister, other_school], on=date(2026, 10, 1))
    assert found == {school.pk: [own], sister.pk: [trust_wide], other_school.pk: []}
    assert trust_wide.file.name.startswith(f"policies/trust-{trust.pk}/")


def test_staff_of_a_trust_school_confirm_the_trust_policy(school, trust, staff, policies_rule):
    trust_wide = publish(trust=trust, kind="online_safety", title="Trust online safety")
    confirm(trust_wide, staff, date(2026, 9, 5))
    assert status(staff, date(2026, 9, 6)) == [(Status.COMPLIANT, date(2027, 10, 1))]


def test_another_schools_policy_is_never_shown(school, staff, other_school, sign_in, media):
    theirs = publish(other_school, title="Hillside child protection")
    client = sign_in(staff)
    for name in ("cpd:policy", "cpd:policy_file"):
        assert client.get(reverse(name, kwargs={"pk": theirs.pk})).status_code == 404
    assert client.post(reverse("cpd:policy_confirm", kwargs={"pk": theirs.pk})).status_code == 404
    assert "Hillside" not in client.get(reverse("cpd:my_policies")).content.decode()
    assert not PolicyConfirmation.objects.exists()


def test_staff_read_a_policy_and_open_its_file(school, staff, sign_in, media):
    version = publish(school, title="Child protection policy")
    client = sign_in(staff)
    page = client.get(reverse("cpd:policy", kwargs={"pk": version.pk})).content.decode()
    assert "Child protection policy" in page and "I have read this policy" in page
    response = client.get(reverse("cpd:policy_file", kwargs={"pk": version.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_the_dashboard_person_page_and_reminders_count_the_policies(
    school, staff, dsl, policies_rule, sign_in
):
    version = publish(school, title="Child protection policy", effective_on=date(2024, 9, 1))
    confirm(version, dsl, date(2026, 9, 3))
    matrix = compliance_matrix(school=school, on=date(2026, 11, 23))
    assert [(r.membership, r.requirement, r.status) for r in matrix.rows] == [
        (dsl, policies_rule, Status.COMPLIANT),
        (staff, policies_rule, Status.OVERDUE),
    ]
    run = reminders_send(on=date(2026, 11, 23))
    to_staff = [m for m in mail.outbox if m.to == ["sarah@oakwood.test"]]
    assert len(to_staff) == 1 and "Read and confirm the school's policies" in to_staff[0].body
    assert (run.reminders, run.digests) == (1, 1)
    page = sign_in(dsl).get(reverse("cpd:person", kwargs={"slug": school.slug, "pk": dsl.pk}))
    body = page.content.decode()
    assert "School policies confirmed as read" in body
    assert "Child protection policy (version 1)" in body


def test_the_evidence_pack_and_subject_access_list_confirmations(school, staff, other_school):
    version = publish(school, title="Child protection policy", version="2025.1")
    confirm(version, staff, date(2026, 9, 3))
    theirs = publish(other_school, title="Hillside policy")
    confirm(theirs, MembershipFactory(school=other_school), date(2026, 9, 3))
    lines = policy_confirmations_csv(school=school).decode("utf-8-sig").splitlines()
    assert lines == [
        "surname,forename,email,policy,version,effective_on,confirmed_at,sha256",
        f"Thompson,Sarah,sarah@oakwood.test,Child protection policy,2025.1,2025-09-01,"
        f"2026-09-03T12:00:00+01:00,{version.sha256}",
    ]
    data = json.loads(json.dumps(subject_access_data(user=staff.user)))
    assert data["policy_confirmations"] == [
        {
            "school": "Oakwood Primary School",
            "policy": "Child protection policy",
            "version": "2025.1",
            "effective_on": "2025-09-01",
            "at": "2026-09-03T11:00:00+00:00",
            "sha256": version.sha256,
        }
    ]


def test_my_training_lists_the_policies_to_confirm(school, staff, policies_rule, sign_in):
    publish(school, title="Child protection policy", effective_on=date(2020, 1, 1))
    today = date.today()
    staff.started_on = today - timedelta(days=3)
    staff.save()
    body = sign_in(staff).get(reverse("cpd:my_training")).content.decode()
    assert "<h2>Your school's policies</h2>" in body
    assert "Read and confirm the school&#x27;s policies" in body
    assert "In induction" in body


def test_a_trust_admin_publishes_for_every_school_and_sets_defaults(
    school, trust, dsl, other_school, sign_in
):
    from tests.factories import TrustRoleFactory

    admin = TrustRoleFactory(trust=trust)
    url = reverse("cpd:trust_arrangements", kwargs={"slug": trust.slug})
    client = sign_in(admin.user)
    response = client.post(url, {
        "form": "policy", "kind": "online_safety", "title": "Trust online safety policy",
        "version": "1", "effective_on": "1/9/2025", "text": "## Online safety",
    })  # fmt: skip
    assert response.status_code == 302
    response = client.post(url, {"form": "arrangements", "prevent_contact": "Trust Prevent lead"})
    assert response.status_code == 302
    [version] = current_versions(schools=[school], on=date(2026, 10, 1))[school.pk]
    assert (version.policy.trust, version.policy.title) == (trust, "Trust online safety policy")
    assert current_versions(schools=[other_school], on=date(2026, 10, 1)) == {other_school.pk: []}
    from cpd.arrangements.selectors import sheet_for_school

    assert sheet_for_school(school=school, on=date(2026, 10, 1)).values["prevent_contact"] == (
        "Trust Prevent lead"
    )
    # A school's DSL is not the trust's admin.
    assert sign_in(dsl).get(url).status_code == 404


def test_a_school_admin_changes_and_resets_the_policies_rule(school, admin, sign_in):
    from cpd.compliance.services import requirement_pack_load

    requirement_pack_load(name="kcsie")
    client = sign_in(admin)
    listing = client.get(reverse("cpd:requirements", kwargs={"slug": school.slug}))
    assert "Each year, in September" in listing.content.decode()
    url = reverse("cpd:requirement_edit", kwargs={"slug": school.slug, "course_id": 0})
    assert client.get(url).status_code == 200
    response = client.post(url, {"induction_days": "7", "due_soon_days": "21",
                                 "renewal_month": "8", "is_active": "on"})  # fmt: skip
    assert response.status_code == 302
    own = Requirement.objects.get(scope="school", school=school)
    assert (own.kind, own.course, own.induction_days, own.due_soon_days, own.renewal_month) == (
        "policies", None, 7, 21, 8,
    )  # fmt: skip
    reset = reverse("cpd:requirement_reset", kwargs={"slug": school.slug, "course_id": 0})
    assert client.post(reset).status_code == 302
    assert not Requirement.objects.filter(scope="school").exists()


@pytest.mark.parametrize("count", [1, 6])
def test_policy_pages_query_counts(school, dsl, staff, sign_in, count, django_assert_num_queries):
    kinds = list(Policy.Kind.values)[:count]
    for kind in kinds:
        version = publish(school, kind=kind, pdf=None, text=f"The {kind} policy.")
        confirm(version, staff, date(2026, 9, 3))
    for _n in range(count):
        MembershipFactory(school=school)
    client = sign_in(dsl)
    url = reverse("cpd:school_policies", kwargs={"slug": school.slug})
    client.get(url)  # the header's links are kept in the session
    # User, school and permissions; the versions in force, the staff, the confirmations,
    # the versions to come.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert [line.confirmed for line in response.context["lines"]] == [1] * count
    client = sign_in(staff)
    client.get(reverse("cpd:my_policies"))
    # User; the memberships, the versions in force, the confirmations.
    with django_assert_num_queries(4):
        response = client.get(reverse("cpd:my_policies"))
    assert len(response.context["items"]) == count

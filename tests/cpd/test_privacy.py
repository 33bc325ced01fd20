"""Privacy operations: a subject access export, and anonymising leavers after the retention
period while certificates still verify and the school's figures stay the same."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from certificates.models import Certificate
from cpd.compliance.dashboards import trust_summary
from cpd.compliance.selectors import compliance_matrix
from cpd.models import AuditEvent, ExternalRecord, Membership
from cpd.privacy.services import ANONYMISED_NAME, retention_apply
from tests.factories import (
    PASSWORD,
    CertificateFactory,
    CourseVersionFactory,
    MembershipFactory,
    RequirementFactory,
)

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 27)


@pytest.fixture
def leaver(school):
    version = CourseVersionFactory(course__title="Annual update")
    RequirementFactory(course=version.course, renewal_months=12)
    membership = MembershipFactory(
        school=school, user__first_name="Chris", user__last_name="Dunn",
        user__email="chris@oakwood.test", job_title="Midday supervisor",
        started_on=date(2015, 9, 1), left_on=date(2019, 7, 31),
    )  # fmt: skip
    certificate = CertificateFactory(
        enrolment__membership=membership, enrolment__course_version=version, course=version.course,
        holder_name="Chris Dunn", completed_on=date(2018, 9, 3), expires_on=date(2019, 9, 3),
        pdf_sha256="a" * 64,
    )  # fmt: skip
    certificate.pdf.save("chris.pdf", ContentFile(b"%PDF-1.7 Chris Dunn"), save=True)
    ExternalRecord.objects.create(
        membership=membership, title="First aid", provider="Red Cross",
        completed_on=date(2018, 1, 1), evidence=ContentFile(b"%PDF-1.4 e", name="e.pdf"),
    )  # fmt: skip
    return membership


@pytest.fixture
def head(school):
    return MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)


def test_subject_access_export_holds_the_persons_records_and_files(
    client, head, leaver, other_school
):
    MembershipFactory(user=leaver.user, school=other_school, job_title="Elsewhere")
    client.login(username=head.user.email, password=PASSWORD)
    response = client.post(f"/schools/{head.school.slug}/people/{leaver.pk}/export/")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == (
        'attachment; filename="chris-dunn-oakwood-primary-data.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    certificate = leaver.certificates.get()
    record = leaver.external_records.get()
    evidence = f"evidence/{record.pk}-{record.evidence.name.rsplit('/', 1)[-1]}"
    assert sorted(archive.namelist()) == sorted(
        ["person.json", f"certificates/{certificate.serial}.pdf", evidence]
    )
    assert archive.read(f"certificates/{certificate.serial}.pdf") == b"%PDF-1.7 Chris Dunn"
    data = json.loads(archive.read("person.json"))
    assert data["person"]["email"] == "chris@oakwood.test"
    assert data["scope"] == "Oakwood Primary School"
    assert [m["school"] for m in data["memberships"]] == ["Oakwood Primary School"]
    assert [(c["serial"], c["holder_name"]) for c in data["certificates"]] == [
        (certificate.serial, "Chris Dunn")
    ]
    event = AuditEvent.objects.get(action="cpd.person.exported")
    assert (event.actor, event.school, event.target_id) == (head.user, head.school, str(leaver.pk))


def test_subject_access_export_refused_to_a_dsl_and_for_another_school(
    client, dsl, head, other_school
):
    stranger = MembershipFactory(school=other_school)
    client.login(username=dsl.user.email, password=PASSWORD)
    assert client.post(f"/schools/{dsl.school.slug}/people/{head.pk}/export/").status_code == 403
    client.login(username=head.user.email, password=PASSWORD)
    assert (
        client.post(f"/schools/{head.school.slug}/people/{stranger.pk}/export/").status_code == 404
    )
    assert (
        client.post(f"/schools/{other_school.slug}/people/{stranger.pk}/export/").status_code == 404
    )
    assert AuditEvent.objects.filter(action="cpd.person.exported").count() == 0


def test_subject_access_command_writes_the_zip(leaver, tmp_path):
    path = tmp_path / "chris.zip"
    call_command("cpd_subject_access", "CHRIS@oakwood.test", "--output", str(path))
    data = json.loads(zipfile.ZipFile(path).read("person.json"))
    assert (data["scope"], data["person"]["last_name"]) == ("all schools", "Dunn")


def test_retention_anonymises_old_leavers_and_keeps_the_figures(client, school, trust, leaver, dsl):
    keep = MembershipFactory(school=school, started_on=date(2015, 1, 1), left_on=date(2024, 8, 31))
    before_matrix = compliance_matrix(school=school, on=ON).counts
    before_trust = [(s.school.pk, s.staff, s.counts) for s in trust_summary(trust=trust, on=ON)]
    certificate = leaver.certificates.get()
    pdf_name = certificate.pdf.name
    storage = certificate.pdf.storage

    run = retention_apply(on=ON)

    assert (run.anonymised, run.cutoff) == ([leaver.user.pk], date(2020, 11, 27))
    leaver.user.refresh_from_db()
    user = leaver.user
    assert (user.first_name, user.last_name, user.email, user.is_active) == (
        ANONYMISED_NAME, "member of staff", f"person-{user.pk}@anonymised.invalid", False,
    )  # fmt: skip
    assert not user.has_usable_password()
    assert Membership.objects.get(pk=leaver.pk).job_title == ""
    certificate.refresh_from_db()
    assert (certificate.holder_name, certificate.pdf.name, certificate.pdf_sha256) == (
        ANONYMISED_NAME, "", "a" * 64,
    )  # fmt: skip
    assert not storage.exists(pdf_name)
    assert ExternalRecord.objects.get(membership=leaver).evidence.name == ""
    page = client.get(f"/verify/{certificate.verification_code}/").content.decode()
    assert "Anonymised" in page and "Chris" not in page
    assert compliance_matrix(school=school, on=ON).counts == before_matrix
    assert [
        (s.school.pk, s.staff, s.counts) for s in trust_summary(trust=trust, on=ON)
    ] == before_trust
    assert list(AuditEvent.objects.filter(action="cpd.person.anonymised").values_list(
        "target_id", flat=True)) == [str(leaver.pk)]  # fmt: skip
    assert not AuditEvent.objects.filter(target_repr__contains="Chris").exists()
    keep.user.refresh_from_db()
    assert keep.user.first_name != ANONYMISED_NAME


def test_retention_spares_someone_still_at_another_school(leaver, other_school):
    MembershipFactory(user=leaver.user, school=other_school, started_on=date(2019, 9, 1))
    assert retention_apply(on=ON).anonymised == []


def test_retention_dry_run_and_second_run_change_nothing(leaver, capsys):
    call_command("cpd_apply_retention", "--dry-run", "--date", "2026-11-27")
    assert (
        capsys.readouterr().out == "Would anonymise 1 person(s) who left on or before 2020-11-27.\n"
    )
    assert Certificate.objects.get(membership=leaver).holder_name == "Chris Dunn"
    call_command("cpd_apply_retention", "--date", "2026-11-27")
    call_command("cpd_apply_retention", "--date", "2026-11-27")
    assert capsys.readouterr().out.splitlines() == [
        "Anonymised 1 person(s) who left on or before 2020-11-27.",
        "Anonymised 0 person(s) who left on or before 2020-11-27.",
    ]
    assert AuditEvent.objects.filter(action="cpd.person.anonymised").count() == 1

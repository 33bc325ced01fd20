"""Stored evidence packs after anonymisation and after expiry, and the scheduled command
that deletes expired packs and abandoned staff imports."""

import io
import zipfile
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Export
from cpd.compliance.evidence.building import export_build
from cpd.models import AuditEvent, Membership
from cpd.people.imports.pending import staff_import_preview
from cpd.privacy.services import person_anonymise
from tests.factories import CertificateFactory, CourseVersionFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def _with_certificate(school, first: str, last: str, serial: str):
    version = CourseVersionFactory()
    membership = MembershipFactory(
        school=school, user__first_name=first, user__last_name=last, started_on=date(2020, 9, 1)
    )
    certificate = CertificateFactory(
        enrolment__membership=membership,
        enrolment__course_version=version,
        course=version.course,
        holder_name=f"{first} {last}",
        serial=serial,
        expires_on=None,
    )
    certificate.pdf.save(f"{serial}.pdf", ContentFile(f"%PDF-1.7 {first}".encode()), save=True)
    return membership


def _pack(school) -> Export:
    return export_build(export=Export.objects.create(school=school))


def _pack_text(export) -> str:
    with export.file.open("rb") as stored, zipfile.ZipFile(io.BytesIO(stored.read())) as archive:
        return "".join(archive.read(n).decode("latin-1") for n in archive.namelist())


def test_anonymising_a_person_deletes_the_stored_packs_that_hold_them(school, other_school):
    chris = _with_certificate(school, "Chris", "Dunn", "CPD-2025-000001")
    _with_certificate(school, "Amara", "Okonkwo", "CPD-2025-000002")
    _with_certificate(other_school, "Olly", "Outsider", "CPD-2025-000003")
    holding, elsewhere = _pack(school), _pack(other_school)
    assert "Chris" in _pack_text(holding)
    name = holding.file.name
    storage = holding.file.storage

    person_anonymise(user=chris.user)

    holding.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (holding.file.name, holding.sha256) == ("", "")
    assert not storage.exists(name)
    assert elsewhere.file.name != "" and storage.exists(elsewhere.file.name)
    [event] = AuditEvent.objects.filter(action="certificates.export.deleted")
    assert (event.school, event.target_id, event.data) == (
        school,
        str(holding.pk),
        {"reason": "person_anonymised", "file": name},
    )
    # A pack built now holds no trace of them.
    assert "Chris" not in _pack_text(_pack(school))


def test_anonymising_keeps_packs_that_do_not_hold_the_person(school):
    chris = _with_certificate(school, "Chris", "Dunn", "CPD-2025-000001")
    chris.certificates.all().delete()
    _with_certificate(school, "Amara", "Okonkwo", "CPD-2025-000002")
    pack = _pack(school)
    person_anonymise(user=Membership.objects.get(pk=chris.pk).user)
    pack.refresh_from_db()
    assert pack.file.storage.exists(pack.file.name)
    assert AuditEvent.objects.filter(action="certificates.export.deleted").count() == 0


def test_delete_expired_command_deletes_expired_packs_and_abandoned_imports(school, media):
    admin = MembershipFactory(school=school, role=Membership.Role.SCHOOL_ADMIN)
    _with_certificate(school, "Amara", "Okonkwo", "CPD-2025-000002")
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=2)):
        old_pack = _pack(school)
        staff_import_preview(
            school=school,
            actor=admin.user,
            content=b"email,first name,last name,role,staff category,start date\n"
            b"a@b.test,Amy,Patel,staff,teaching,2024-09-01\n",
        )
    fresh_pack = _pack(school)
    old_name = old_pack.file.name
    out = io.StringIO()
    call_command("cpd_delete_expired", stdout=out)
    assert out.getvalue() == (
        "Deleted 1 expired evidence pack(s) and 1 abandoned staff import(s).\n"
    )
    old_pack.refresh_from_db()
    fresh_pack.refresh_from_db()
    assert old_pack.file.name == "" and not fresh_pack.file.storage.exists(old_name)
    assert fresh_pack.file.storage.exists(fresh_pack.file.name)
    assert (
        sorted(p.name for p in media.rglob("*") if p.is_file() and "staff-imports" in str(p)) == []
    )
    assert list(
        AuditEvent.objects.filter(action="certificates.export.deleted").values_list(
            "target_id", "data__reason"
        )
    ) == [(str(old_pack.pk), "expired")]

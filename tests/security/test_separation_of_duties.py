"""Separation of duties: nobody verifies their own training record, revokes or re-issues
their own certificate, changes what decides their own requirements, or marks themselves as
leaving. The services refuse (``NotAllowed``), so a page and the API both answer 403; in a
school with a single DSL, the school's admin or the trust's admin does it instead."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from certificates.models import Certificate
from certificates.services import certificate_reissue, certificate_revoke
from cpd.compliance.records.services import external_record_decide
from cpd.errors import NotAllowed
from cpd.models import AuditEvent, ExternalRecord, Membership
from cpd.people.services import membership_leave, membership_update
from tests.api.clients import api_client
from tests.factories import CertificateFactory, MembershipFactory, TrustRoleFactory

pytestmark = pytest.mark.django_db

OWN_RECORD = (
    "You cannot verify or reject your own training record. Ask another DSL or the school's "
    "admin, or the trust's admin."
)
OWN_CERTIFICATE = (
    "You cannot revoke or re-issue your own certificate. Ask another of the school's DSLs "
    "or its school admin, or its trust's admin."
)
OWN_LEAVING = (
    "You cannot mark yourself as leaving. Ask another DSL or the school's admin, or the "
    "trust's admin."
)


def token_client(user) -> APIClient:
    """A token where the person may hold one (admins), else a session: as they reach it."""
    return api_client(user)


def record_of(membership) -> ExternalRecord:
    return ExternalRecord.objects.create(
        membership=membership,
        title="Advanced DSL training",
        provider="Local authority",
        completed_on=date(2026, 10, 1),
        minutes=360,
        evidence=SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n"),
    )


@pytest.fixture
def trust_admin(trust):
    return TrustRoleFactory(trust=trust).user


# -- training done elsewhere --------------------------------------------------------------------


def test_dsl_cannot_verify_their_own_record_on_the_page(sign_in, dsl, media):
    record = record_of(dsl)
    response = sign_in(dsl).post(
        f"/schools/{dsl.school.slug}/records/{record.pk}/decide/",
        {"decision": "verify", "note": "Looks fine"},
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert (record.status, record.verified_by) == ("pending", None)
    assert not AuditEvent.objects.filter(action__startswith="cpd.external_record.").exists()


def test_dsl_cannot_reject_their_own_record_through_the_service(dsl, media):
    record = record_of(dsl)
    with pytest.raises(NotAllowed, match=f"^{OWN_RECORD}$"):
        external_record_decide(record=record, actor=dsl.user, verified=False)


@pytest.mark.parametrize("decider", ["school_admin", "trust_admin"])
def test_single_dsls_record_is_verified_by_the_admin_or_trust_admin(
    client, sign_in, dsl, admin, trust_admin, decider, media
):
    record = record_of(dsl)
    user = admin.user if decider == "school_admin" else trust_admin
    client.force_login(user)
    response = client.post(
        f"/schools/{dsl.school.slug}/records/{record.pk}/decide/",
        {"decision": "verify", "note": "Certificate checked"},
    )
    assert response["Location"] == f"/schools/{dsl.school.slug}/records/"
    record.refresh_from_db()
    assert (record.status, record.verified_by) == ("verified", user)


# -- certificates -------------------------------------------------------------------------------


@pytest.fixture
def dsl_certificate(dsl):
    return CertificateFactory(
        enrolment__membership=dsl, holder_name="David Okafor", serial="CPD-2026-000201"
    )


def test_dsl_cannot_revoke_their_own_certificate_on_the_page_or_the_api(
    sign_in, dsl, dsl_certificate
):
    page = sign_in(dsl).post(
        f"/certificates/{dsl_certificate.serial}/revoke/", {"reason": "Testing"}
    )
    api = token_client(dsl.user).post(
        f"/api/v1/certificates/{dsl_certificate.serial}/revoke/",
        {"reason": "Testing"},
        format="json",
    )
    assert (page.status_code, api.status_code) == (403, 403)
    assert api.json() == {"detail": OWN_CERTIFICATE, "code": "permission_denied"}
    dsl_certificate.refresh_from_db()
    assert dsl_certificate.status == Certificate.Status.VALID


def test_dsl_cannot_reissue_their_own_certificate_in_another_name(sign_in, dsl, dsl_certificate):
    page = sign_in(dsl).post(
        f"/certificates/{dsl_certificate.serial}/reissue/",
        {"holder_name": "Dr Someone Else", "reason": "Typo", "name_correction": "Typo"},
    )
    assert page.status_code == 403
    with pytest.raises(NotAllowed, match=f"^{OWN_CERTIFICATE}$"):
        certificate_reissue(
            certificate=dsl_certificate, actor=dsl.user, reason="Typo", holder_name="Dr X"
        )
    assert Certificate.objects.get().holder_name == "David Okafor"
    # Nor does the page offer them the forms.
    detail = sign_in(dsl).get(f"/certificates/{dsl_certificate.serial}/")
    assert "Re-issue certificate" not in detail.content.decode()


def test_single_dsls_certificate_is_revoked_by_the_trust_admin(dsl, dsl_certificate, trust_admin):
    revoked = certificate_revoke(certificate=dsl_certificate, actor=trust_admin, reason="Wrong")
    assert revoked.status == Certificate.Status.REVOKED


def test_reissue_keeps_the_name_unless_a_correction_gives_its_reason(dsl, admin, dsl_certificate):
    with pytest.raises(ValidationError) as refused:
        certificate_reissue(
            certificate=dsl_certificate,
            actor=admin.user,
            reason="Asked to",
            holder_name="Dr Someone Else",
            notify=False,
        )
    assert refused.value.message_dict == {
        "name_correction": [
            "Say why the new name is correct: a certificate keeps its holder's name unless "
            "the name is corrected, or the holder changed it on their own account."
        ]
    }
    assert Certificate.objects.get().status == Certificate.Status.VALID


def test_a_name_correction_is_recorded_and_shown_on_verification(
    client, sign_in, dsl, admin, dsl_certificate
):
    response = sign_in(admin).post(
        f"/certificates/{dsl_certificate.serial}/reissue/",
        {
            "holder_name": "David Okafor-Reid",
            "reason": "Name on the certificate was incomplete",
            "name_correction": "Double-barrelled surname, as on his passport",
        },
    )
    new = Certificate.objects.get(supersedes=dsl_certificate)
    assert response["Location"] == f"/certificates/{new.serial}/"
    assert (new.holder_name, new.name_correction) == (
        "David Okafor-Reid",
        "Double-barrelled surname, as on his passport",
    )
    event = AuditEvent.objects.get(action="certificates.certificate.reissued")
    assert (event.actor, event.data["holder_name_changed"], event.data["name_correction"]) == (
        admin.user,
        True,
        "Double-barrelled surname, as on his passport",
    )
    client.logout()
    page = client.get(f"/verify/{new.verification_code}/")
    assert "Re-issued (name corrected)" in page.content.decode()
    api = client.get(f"/api/v1/verify/{new.verification_code}/").json()
    assert api["reissued"] == "name_corrected"


def test_a_reissue_keeping_the_name_is_shown_as_reissued_only(client, dsl, admin, dsl_certificate):
    new = certificate_reissue(
        certificate=dsl_certificate, actor=admin.user, reason="PDF was damaged", notify=False
    )
    assert (new.holder_name, new.name_correction) == ("David Okafor", "")
    page = client.get(f"/verify/{new.verification_code}/").content.decode()
    assert "Re-issued" in page and "name corrected" not in page
    assert client.get(f"/api/v1/verify/{new.verification_code}/").json()["reissued"] == "reissued"


def test_reissue_in_the_name_the_holder_gave_their_account_needs_no_correction(
    dsl, admin, dsl_certificate
):
    dsl.user.last_name = "Okafor-Reid"
    dsl.user.save()
    new = certificate_reissue(
        certificate=dsl_certificate,
        actor=admin.user,
        reason="Name changed",
        holder_name="David Okafor-Reid",
        notify=False,
    )
    assert (new.holder_name, new.name_correction) == (
        "David Okafor-Reid",
        "The holder changed the name on their own account.",
    )


# -- leaving and requirements -------------------------------------------------------------------


def test_nobody_marks_themselves_as_leaving_on_the_page_or_the_api(sign_in, admin):
    school = admin.school
    page = sign_in(admin).post(
        f"/schools/{school.slug}/staff/{admin.pk}/leave/", {"left_on": "2026-07-31"}
    )
    api = token_client(admin.user).post(
        f"/api/v1/schools/{school.slug}/staff/{admin.pk}/leave/",
        {"left_on": "2026-07-31"},
        format="json",
    )
    assert (page.status_code, api.status_code) == (403, 403)
    assert api.json() == {"detail": OWN_LEAVING, "code": "permission_denied"}
    admin.refresh_from_db()
    assert admin.left_on is None


def test_a_single_admin_is_marked_as_leaving_by_the_trust_admin(admin, trust_admin):
    left = membership_leave(membership=admin, left_on=date(2026, 7, 31), actor=trust_admin)
    assert left.left_on == date(2026, 7, 31)


@pytest.mark.parametrize(
    "change",
    [
        {"role": Membership.Role.STAFF},
        {"staff_category": "volunteer"},
        {"started_on": date(2026, 1, 5)},
    ],
)
def test_nobody_changes_what_decides_their_own_requirements(admin, change):
    with pytest.raises(NotAllowed, match="^You cannot change your own role"):
        membership_update(membership=admin, actor=admin.user, **change)
    other = MembershipFactory(school=admin.school, role=Membership.Role.DSL)
    updated = membership_update(membership=admin, actor=other.user, **change)
    [(name, value)] = change.items()
    assert getattr(updated, name) == value


def test_own_job_title_can_still_be_changed(admin):
    updated = membership_update(membership=admin, actor=admin.user, job_title="Headteacher")
    assert updated.job_title == "Headteacher"


def test_reissue_page_without_a_correction_reason_shows_the_error(
    sign_in, dsl, admin, dsl_certificate
):
    response = sign_in(admin).post(
        f"/certificates/{dsl_certificate.serial}/reissue/",
        {"holder_name": "Dr Someone Else", "reason": "Asked to"},
    )
    assert response.status_code == 400
    assert response.context["reissue_form"].errors == {
        "name_correction": [
            "Say why the new name is correct: a certificate keeps its holder's name unless "
            "the name is corrected, or the holder changed it on their own account."
        ]
    }
    assert Certificate.objects.get().holder_name == "David Okafor"


def test_a_full_sync_import_never_marks_the_admin_importing_it_as_leaving(admin, staff):
    """The admin's own row missing from the file: everyone else missing leaves, they do not."""
    from cpd.people.imports.applying import staff_file_apply

    plan = staff_file_apply(
        school=admin.school,
        content=b"email,first name,last name,role,staff category,start date\n"
        b"new.person@oakwood.test,New,Person,staff,teaching,2025-09-01\n",
        filename="staff.csv",
        full_sync=True,
        confirm_leavers=True,
        actor=admin.user,
    )
    assert [leaver.email for leaver in plan.leavers] == [staff.user.email]
    admin.refresh_from_db()
    staff.refresh_from_db()
    assert (admin.left_on, staff.left_on is not None) == (None, True)

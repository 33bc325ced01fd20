"""Revoke and re-issue: reasons, who and when, chains linked both ways, signals, audit."""

import hashlib
import logging
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from certificates.models import Certificate
from certificates.services import certificate_reissue, certificate_revoke
from certificates.signals import certificate_issued, certificate_revoked
from cpd.errors import NotAllowed, NotFound
from cpd.models import AuditEvent, Membership
from tests.certificates.conftest import pdf_lines, stored_bytes
from tests.factories import MembershipFactory, TrustRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(member):
    return member("Amara", "Okonkow")  # misspelt on purpose: re-issue corrects it


@pytest.fixture
def certificate(holder, version, issue):
    return issue(membership=holder, version=version)


@pytest.fixture
def received():
    """Signals as a host project would receive them."""
    calls = []

    def on_revoked(sender, certificate, actor, reason, **kwargs):
        calls.append(("revoked", certificate.serial, actor.pk, reason))

    def on_issued(sender, certificate, **kwargs):
        calls.append(("issued", certificate.serial))

    certificate_revoked.connect(on_revoked, dispatch_uid="test-revoked")
    certificate_issued.connect(on_issued, dispatch_uid="test-issued")
    yield calls
    certificate_revoked.disconnect(dispatch_uid="test-revoked")
    certificate_issued.disconnect(dispatch_uid="test-issued")


def test_revoke_records_reason_who_and_when(
    certificate, dsl, received, django_capture_on_commit_callbacks
):
    before = datetime.now(UTC)
    with django_capture_on_commit_callbacks(execute=True):
        revoked = certificate_revoke(
            certificate=certificate, actor=dsl.user, reason=" Issued in error "
        )

    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason, certificate.revoked_by) == (
        "revoked",
        "Issued in error",
        dsl.user,
    )
    assert before <= certificate.revoked_at <= datetime.now(UTC)
    assert revoked.pk == certificate.pk
    assert received == [("revoked", certificate.serial, dsl.user.pk, "Issued in error")]
    events = AuditEvent.objects.filter(action="certificates.certificate.revoked")
    assert [(e.actor, e.school, e.target_id, e.data) for e in events] == [
        (
            dsl.user,
            certificate.membership.school,
            str(certificate.pk),
            {"serial": certificate.serial, "reason": "Issued in error"},
        )
    ]


@pytest.mark.parametrize("reason", ["", "   "])
def test_revoke_needs_a_reason(certificate, dsl, reason, received):
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, actor=dsl.user, reason=reason)
    assert error.value.message_dict == {"reason": ["Enter the reason."]}
    certificate.refresh_from_db()
    assert certificate.status == "valid"
    assert AuditEvent.objects.filter(action="certificates.certificate.revoked").count() == 0
    assert received == []


def test_revoke_twice_is_refused(certificate, dsl):
    certificate_revoke(certificate=certificate, actor=dsl.user, reason="Wrong person")
    with pytest.raises(ValidationError) as error:
        certificate_revoke(certificate=certificate, actor=dsl.user, reason="Again")
    assert error.value.messages == ["This certificate is already revoked."]


def test_reissue_supersedes_and_links_both_ways(
    certificate, dsl, received, django_capture_on_commit_callbacks
):
    old_pdf = stored_bytes(certificate)
    with django_capture_on_commit_callbacks(execute=True):
        new = certificate_reissue(
            certificate=certificate,
            actor=dsl.user,
            reason="Name misspelt",
            holder_name="Amara Okonkwo",
            name_correction="Surname misspelt in the school's records",
            notify=False,
        )

    certificate.refresh_from_db()
    new.refresh_from_db()
    assert (certificate.status, certificate.revoked_reason, certificate.revoked_by) == (
        "superseded",
        "Name misspelt",
        dsl.user,
    )
    assert new.supersedes == certificate
    assert certificate.superseded_by == new
    assert new.status == "valid"
    assert new.holder_name == "Amara Okonkwo"
    assert new.serial != certificate.serial
    assert new.serial == f"CPD-{new.issued_at.year}-{new.pk:06d}"
    assert new.verification_code != certificate.verification_code
    assert len(new.verification_code) == 16
    snapshot = ["course_title", "course_version_number", "reviewed_against", "cpd_minutes",
                "score", "completed_on", "expires_on", "school_name", "enrolment_id"]  # fmt: skip
    assert [getattr(new, f) for f in snapshot] == [getattr(certificate, f) for f in snapshot]
    # A new PDF with the corrected name; the old one is untouched.
    assert "Amara Okonkwo" in pdf_lines(stored_bytes(new))
    assert new.pdf_sha256 == hashlib.sha256(stored_bytes(new)).hexdigest()
    assert stored_bytes(certificate) == old_pdf
    assert received == [("issued", new.serial)]
    events = AuditEvent.objects.filter(action="certificates.certificate.reissued")
    assert [(e.actor, e.target_id, e.data) for e in events] == [
        (
            dsl.user,
            str(new.pk),
            {
                "serial": new.serial,
                "supersedes": certificate.serial,
                "reason": "Name misspelt",
                "holder_name_changed": True,
                "name_correction": "Surname misspelt in the school's records",
            },
        )
    ]


def test_reissue_chain_and_revoke_at_the_end(certificate, dsl):
    second = certificate_reissue(
        certificate=certificate,
        actor=dsl.user,
        reason="Name",
        holder_name="Amara Okonkwo",
        name_correction="Misspelt",
    )
    third = certificate_reissue(
        certificate=second,
        actor=dsl.user,
        reason="Name again",
        holder_name="Amara Okonkwo-Lee",
        name_correction="Married name, as on her passport",
    )
    certificate_revoke(certificate=third, actor=dsl.user, reason="Issued in error")

    chain = []
    link = Certificate.objects.get(pk=third.pk)
    while link is not None:
        chain.append((link.serial, link.status, link.holder_name))
        link = link.supersedes
    assert chain == [
        (third.serial, "revoked", "Amara Okonkwo-Lee"),
        (second.serial, "superseded", "Amara Okonkwo"),
        (certificate.serial, "superseded", "Amara Okonkow"),
    ]
    assert Certificate.objects.get(pk=certificate.pk).superseded_by.superseded_by == third
    # The superseded ones cannot be re-issued or revoked again.
    with pytest.raises(ValidationError) as error:
        certificate_reissue(certificate=second, actor=dsl.user, reason="x", holder_name="Y")
    assert error.value.messages == ["This certificate is already superseded."]


def test_reissue_keeps_the_name_when_none_given(certificate, dsl):
    new = certificate_reissue(certificate=certificate, actor=dsl.user, reason="New logo")
    assert new.holder_name == "Amara Okonkow"


def test_reissue_needs_a_reason(certificate, dsl):
    with pytest.raises(ValidationError) as error:
        certificate_reissue(certificate=certificate, actor=dsl.user, reason="", holder_name="X")
    assert error.value.message_dict == {"reason": ["Enter the reason."]}
    assert Certificate.objects.count() == 1


def test_retake_after_expiry_issues_a_new_certificate_and_keeps_history(holder, version, issue):
    first = issue(
        membership=holder, version=version, completed_at=datetime(2024, 1, 10, 9, tzinfo=UTC)
    )
    retake = issue(membership=holder, version=version)

    assert list(Certificate.objects.filter(membership=holder)) == [retake, first]
    assert (first.status, first.expires_on.isoformat()) == ("valid", "2025-01-10")
    assert first.standing_on(retake.completed_on) == "expired"
    assert retake.standing_on(retake.completed_on) == "valid"
    assert retake.enrolment != first.enrolment


@pytest.fixture
def failing_receiver(received):
    """A host project's receiver that raises, connected before the test's own."""

    def explode(sender, **kwargs):
        raise RuntimeError("the host's receiver broke")

    certificate_issued.connect(explode, dispatch_uid="test-explode-issued")
    certificate_revoked.connect(explode, dispatch_uid="test-explode-revoked")
    # Receivers run in the order connected: reconnect the test's own after the failing one.
    certificate_issued.disconnect(dispatch_uid="test-issued")
    certificate_revoked.disconnect(dispatch_uid="test-revoked")
    certificate_issued.connect(
        lambda sender, certificate, **kwargs: received.append(("issued", certificate.serial)),
        dispatch_uid="test-issued",
        weak=False,
    )
    certificate_revoked.connect(
        lambda sender, certificate, **kwargs: received.append(("revoked", certificate.serial)),
        dispatch_uid="test-revoked",
        weak=False,
    )
    yield
    certificate_issued.disconnect(dispatch_uid="test-explode-issued")
    certificate_revoked.disconnect(dispatch_uid="test-explode-revoked")


def test_a_failing_receiver_never_escapes_the_issue(
    holder, version, issue, received, failing_receiver, caplog
):
    with caplog.at_level(logging.ERROR, logger="django.dispatch"):
        certificate = issue(membership=holder, version=version)

    assert list(Certificate.objects.filter(membership=holder)) == [certificate]
    assert certificate.pdf_sha256 == hashlib.sha256(stored_bytes(certificate)).hexdigest()
    assert received == [("issued", certificate.serial)]
    assert [(r.name, r.levelname, r.exc_info[1].args) for r in caplog.records] == [
        ("django.dispatch", "ERROR", ("the host's receiver broke",))
    ]


def test_a_failing_receiver_never_escapes_the_revocation(
    certificate, dsl, received, failing_receiver, caplog, django_capture_on_commit_callbacks
):
    with (
        caplog.at_level(logging.ERROR, logger="django.dispatch"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        certificate_revoke(certificate=certificate, actor=dsl.user, reason="Issued in error")

    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    assert received == [("revoked", certificate.serial)]
    assert [(r.name, r.levelname) for r in caplog.records] == [("django.dispatch", "ERROR")]


@pytest.mark.parametrize("correct", ["revoke", "reissue"])
def test_the_holder_may_see_but_not_correct_their_certificate(certificate, holder, correct):
    with pytest.raises(NotAllowed) as error:
        _correct(correct, certificate, holder.user)

    assert (error.value.status, error.value.code) == (403, "permission_denied")
    assert str(error.value) == (
        "Only the school's DSLs, deputy DSLs and school admins, or its trust's admins, can "
        + {"revoke": "revoke", "reissue": "re-issue"}[correct]
        + " a certificate."
    )
    assert list(Certificate.objects.values_list("status", flat=True)) == ["valid"]


@pytest.mark.parametrize("correct", ["revoke", "reissue"])
@pytest.mark.parametrize("who", ["colleague", "other_school_dsl", "leaver_dsl"])
def test_who_may_not_see_the_certificate_gets_not_found(
    certificate, school, other_school, correct, who
):
    actor = {
        "colleague": lambda: MembershipFactory(school=school),
        "other_school_dsl": lambda: MembershipFactory(
            school=other_school, role=Membership.Role.DSL
        ),
        "leaver_dsl": lambda: MembershipFactory(
            school=school,
            role=Membership.Role.DSL,
            started_on=date(2020, 9, 1),
            left_on=date(2024, 7, 31),
        ),
    }[who]().user

    with pytest.raises(NotFound) as error:
        _correct(correct, certificate, actor)

    assert (error.value.status, error.value.code) == (404, "not_found")
    assert list(Certificate.objects.values_list("status", flat=True)) == ["valid"]


@pytest.mark.parametrize("correct", ["revoke", "reissue"])
@pytest.mark.parametrize("role", ["deputy_dsl", "school_admin", "trust_admin"])
def test_deputies_school_and_trust_admins_may_correct(certificate, school, trust, correct, role):
    if role == "trust_admin":
        actor = TrustRoleFactory(trust=trust).user
    else:
        actor = MembershipFactory(school=school, role=role).user

    _correct(correct, certificate, actor)

    certificate.refresh_from_db()
    assert (certificate.status, certificate.revoked_by) == (
        {"revoke": "revoked", "reissue": "superseded"}[correct],
        actor,
    )


def _correct(correct: str, certificate, actor):
    if correct == "revoke":
        return certificate_revoke(certificate=certificate, actor=actor, reason="Error")
    return certificate_reissue(certificate=certificate, actor=actor, reason="Error", notify=False)

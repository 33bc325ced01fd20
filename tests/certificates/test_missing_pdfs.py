"""A certificate whose PDF never got stored (every render attempt failed) is listed for
the DSL, and is rendered again by the repair command and by the next verification."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate
from tests.factories import MembershipFactory


def _without_pdf(certificate, *, minutes_ago: int) -> Certificate:
    certificate.pdf.storage.delete(certificate.pdf.name)
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf="", pdf_sha256="", issued_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    certificate.refresh_from_db()
    return certificate


def test_dsl_sees_certificates_whose_pdf_is_missing_and_no_other_schools(
    client, media, dsl, member, other_school, version, issue, sign_in
):
    late = _without_pdf(
        issue(membership=member("Amara", "Okonkwo"), version=version), minutes_ago=60
    )
    _without_pdf(issue(membership=member("Ben", "Carter"), version=version), minutes_ago=2)
    outsider = MembershipFactory(school=other_school)
    _without_pdf(issue(membership=outsider, version=version), minutes_ago=60)

    response = sign_in(dsl).get(f"/schools/{dsl.school.slug}/compliance/")

    assert response.status_code == 200
    assert [c.serial for c in response.context["missing_pdfs"]] == [late.serial]
    page = response.content.decode()
    assert "Certificates waiting for their PDF" in page
    assert f"{late.serial} – Amara Okonkwo, Recognising grooming" in page


def test_dashboard_shows_no_list_when_every_pdf_is_stored(
    client, media, dsl, member, version, issue, sign_in
):
    issue(membership=member(), version=version)
    response = sign_in(dsl).get(f"/schools/{dsl.school.slug}/compliance/")
    assert response.context["missing_pdfs"] == []
    assert "Certificates waiting for their PDF" not in response.content.decode()


def test_repair_command_renders_every_missing_pdf(media, member, version, issue, capsys):
    first = _without_pdf(
        issue(membership=member("Amara", "Okonkwo"), version=version), minutes_ago=60
    )
    second = _without_pdf(
        issue(membership=member("Ben", "Carter"), version=version), minutes_ago=90
    )

    call_command("cpd_render_missing_pdfs")

    assert capsys.readouterr().out == "Rendered 2 missing PDF(s); 0 could not be stored.\n"
    for certificate in (first, second):
        certificate.refresh_from_db()
        with certificate.pdf.open("rb") as f:
            assert f.read(5) == b"%PDF-"
        assert len(certificate.pdf_sha256) == 64
    call_command("cpd_render_missing_pdfs")
    assert capsys.readouterr().out == "Rendered 0 missing PDF(s); 0 could not be stored.\n"


def test_verification_renders_a_missing_pdf(client, media, member, version, issue):
    certificate = _without_pdf(issue(membership=member(), version=version), minutes_ago=60)

    response = client.get(f"/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert (
        certificate.pdf.name == f"certificates/{certificate.issued_at:%Y}/{certificate.serial}.pdf"
    )
    assert len(certificate.pdf_sha256) == 64


def test_verification_still_answers_when_the_pdf_cannot_be_stored(
    client, media, member, version, issue, settings, tmp_path
):
    certificate = _without_pdf(issue(membership=member(), version=version), minutes_ago=60)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked)

    response = client.get(f"/verify/{certificate.verification_code}/")

    assert response.status_code == 200
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.pdf_sha256) == ("", "")


def test_download_while_storage_refuses_writes_asks_to_try_again(
    client, media, member, version, issue, settings, tmp_path, sign_in
):
    holder = member()
    certificate = _without_pdf(issue(membership=holder, version=version), minutes_ago=1)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    settings.MEDIA_ROOT = str(blocked)

    response = sign_in(holder).get(f"/certificates/{certificate.serial}/pdf/")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert (
        "Your certificate&#x27;s PDF is still being made. Try again in a few minutes."
        in response.content.decode()
    )

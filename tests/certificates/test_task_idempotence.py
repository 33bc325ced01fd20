"""Every background task may run twice (a retry, a worker killed mid-task whose lease
expired, two workers overlapping): each run after the first changes nothing, so there is
one PDF, one email and one evidence pack."""

from django.core import mail

from certificates.models import Export
from certificates.tasks import certificate_email_task, certificate_render_task
from cpd.compliance.evidence.tasks import evidence_pack_build
from tests.certificates.conftest import stored_bytes


def _files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def test_render_task_run_twice_stores_one_pdf(media, member, version, issue):
    certificate = issue(membership=member(), version=version)
    first = (certificate.pdf.name, certificate.pdf_sha256, stored_bytes(certificate))

    certificate_render_task.call(certificate.pk)
    certificate.refresh_from_db()

    assert (certificate.pdf.name, certificate.pdf_sha256, stored_bytes(certificate)) == first
    assert _files(media) == [certificate.pdf.name]


def test_render_task_for_a_certificate_whose_pdf_went_missing_stores_it_again(
    media, member, version, issue
):
    """What a task that finally failed leaves behind is put right by running it again."""
    certificate = issue(membership=member(), version=version)
    certificate.pdf.storage.delete(certificate.pdf.name)
    type(certificate).objects.filter(pk=certificate.pk).update(pdf="", pdf_sha256="")

    certificate_render_task.call(certificate.pk)
    certificate.refresh_from_db()

    assert len(certificate.pdf_sha256) == 64
    assert _files(media) == [certificate.pdf.name]


def test_email_task_run_twice_sends_one_email(media, member, version, issue):
    holder = member()
    certificate = issue(membership=holder, version=version)
    assert mail.outbox == []  # issued without notifying

    certificate_email_task.call(certificate.pk)
    certificate_email_task.call(certificate.pk)

    assert [m.to for m in mail.outbox] == [[holder.user.email]]
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None


def test_email_that_failed_to_send_is_sent_by_the_retry(media, member, version, issue, settings):
    holder = member()
    certificate = issue(membership=holder, version=version)
    settings.MAILERS = {"default": {"BACKEND": "tests.certificates.test_task_idempotence.Refusing"}}
    try:
        certificate_email_task.call(certificate.pk)
    except ConnectionRefusedError:
        pass
    else:
        raise AssertionError("the refusing mail server did not refuse")
    certificate.refresh_from_db()
    assert certificate.emailed_at is None

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    certificate_email_task.call(certificate.pk)
    assert [m.to for m in mail.outbox] == [[holder.user.email]]


def test_evidence_pack_task_run_twice_builds_one_pack(
    client, media, dsl, school, member, version, issue, sign_in, django_capture_on_commit_callbacks
):
    issue(membership=member(), version=version)
    sign_in(dsl)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/schools/{school.slug}/evidence/", {})
    export = Export.objects.get()
    first = (export.status, export.file.name, export.sha256)

    evidence_pack_build.call(export.pk)
    export.refresh_from_db()

    assert (export.status, export.file.name, export.sha256) == first
    assert [name for name in _files(media) if name.endswith(".zip")] == [export.file.name]


def test_evidence_pack_left_running_by_a_dead_worker_is_built_by_the_rerun(
    client, media, dsl, school, member, version, issue, sign_in
):
    issue(membership=member(), version=version)
    export = Export.objects.create(
        school=school, requested_by=dsl.user, filters={}, status=Export.Status.RUNNING
    )

    evidence_pack_build.call(export.pk)
    export.refresh_from_db()

    assert (export.status, export.progress, export.certificate_count) == ("ready", 100, 1)
    assert [name for name in _files(media) if name.endswith(".zip")] == [export.file.name]


class Refusing:
    """A mail server that refuses every connection."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server refused the connection")

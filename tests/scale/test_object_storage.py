"""Certificates in S3-compatible object storage, against a real S3 API: moto's server,
started by the test on 127.0.0.1 (no internet, no Docker). What is checked is what a trust
relies on: the PDF lands in the bucket with the SHA-256 the certificate records, the download
view serves those bytes, and the site's settings build the storage from the environment."""

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from certificates.models import Certificate, Export
from certificates.services import certificate_issue
from courses.models import Enrolment
from tests.factories import CourseVersionFactory, EnrolmentFactory
from tests.scale.processes import free_port

REPO = Path(__file__).resolve().parents[2]
BUCKET = "trust-cpd-files"
REGION = "eu-west-2"
KEYS = {"access_key": "moto-access", "secret_key": "moto-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name=REGION,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
    )
    name = f"{BUCKET}-{free_port()}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return client, name


def s3_storage_settings(endpoint: str, bucket: str) -> dict:
    """What cpd/site/settings.py builds from STORAGE_BACKEND=s3 and the AWS_* variables."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": REGION,
            **KEYS,
            "location": "cpd",
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


@pytest.fixture
def s3_storage(settings, bucket, s3_endpoint, monkeypatch):
    """Point STORAGES at the bucket. The FileFields resolved their storage when the models
    loaded, so they are pointed at the new one too."""
    _client, name = bucket
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(s3_endpoint, name),
    }
    storage = storages["default"]
    monkeypatch.setattr(Certificate._meta.get_field("pdf"), "storage", storage)
    monkeypatch.setattr(Export._meta.get_field("file"), "storage", storage)
    return storage


def test_certificate_pdf_is_stored_in_s3_with_its_hash_and_downloads(
    staff, sign_in, bucket, s3_storage, django_capture_on_commit_callbacks
):
    client_s3, name = bucket
    version = CourseVersionFactory(course__title="Recognising grooming", cpd_minutes=90)
    completed = datetime(2026, 1, 15, 10, 30, tzinfo=UTC)
    enrolment = EnrolmentFactory(
        membership=staff,
        course_version=version,
        status=Enrolment.Status.COMPLETED,
        started_at=completed,
        completed_at=completed,
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate = certificate_issue(enrolment=enrolment, score=90, notify=False)
    certificate.refresh_from_db()

    key = f"cpd/{certificate.pdf.name}"
    assert certificate.pdf.name == f"certificates/2026/{certificate.serial}.pdf"
    stored = client_s3.get_object(Bucket=name, Key=key)["Body"].read()
    assert stored[:5] == b"%PDF-"
    assert hashlib.sha256(stored).hexdigest() == certificate.pdf_sha256
    assert [o["Key"] for o in client_s3.list_objects_v2(Bucket=name)["Contents"]] == [key]

    response = sign_in(staff).get(f"/certificates/{certificate.serial}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored


def test_health_reports_s3_storage_reachable(client, db, s3_storage):
    response = client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json()["checks"]["storage"]["ok"] is True


def test_health_fails_when_the_bucket_is_missing(client, db, settings, s3_endpoint):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(s3_endpoint, "no-such-bucket"),
    }
    response = client.get("/health/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_site_settings_build_s3_storage_from_the_environment(tmp_path, bucket, s3_endpoint):
    _client, name = bucket
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="cpd.site.settings",
        CPD_VAR_DIR=str(tmp_path),
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME=name,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID=KEYS["access_key"],
        AWS_SECRET_ACCESS_KEY=KEYS["secret_key"],
        AWS_LOCATION="site",
    )
    code = (
        "from django.core.files.base import ContentFile;"
        "from certificates.models import Certificate;"
        "s = Certificate._meta.get_field('pdf').storage;"
        "n = s.save('certificates/probe.txt', ContentFile(b'hello'));"
        "print(type(s).__name__, s.bucket_name, n, s.open(n).read().decode())"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", name, "certificates/probe.txt", "hello"]
    keys = [o["Key"] for o in _client.list_objects_v2(Bucket=name)["Contents"]]
    assert keys == ["site/certificates/probe.txt"]

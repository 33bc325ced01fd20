"""The wheel, installed the way a school's developer would install it.

Builds the wheel from this checkout, installs it (not editable) into a fresh virtualenv,
generates a brand-new Django project beside it, wires the apps in exactly as the README's
"Installing into an existing Django project" says, migrates, loads the shipped courses and
rules, and renders the login page, /training/ for a signed-in member of staff and a lesson.
Nothing from this repository is on the fresh project's path: if a template, a migration or
a course file is missing from the wheel, this test is where it shows.
"""

import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
APPS = ["cpd", "courses", "certificates"]
COURSE_TITLE = "Safeguarding induction for new staff, volunteers and governors"

# Appended to the generated settings.py: the README's lines, plus the host for the client.
README_SETTINGS = """

# --- Safeguarding CPD, as the README says ---
INSTALLED_APPS += ["rest_framework", "cpd", "courses", "certificates"]
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
]
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    "cpd.accounts.middleware.TwoFactorRequiredMiddleware",
]
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "cpd.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "cpd.accounts.adapter.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "cpd.accounts.forms.LoginForm",
    "reset_password": "cpd.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "cpd.accounts.forms.ResetPasswordKeyForm",
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "cpd:home"

ALLOWED_HOSTS = ["testserver"]
"""

# Where the fresh venv's interpreter finds the three apps, and its own site-packages.
WHERE_SCRIPT = (
    "import json, site, cpd, courses, certificates\n"
    "print(json.dumps([cpd.__file__, courses.__file__, certificates.__file__,"
    " site.getsitepackages()]))"
)

# Run inside the generated project with its own settings; prints one JSON line.
PAGES_SCRIPT = textwrap.dedent(
    """
    import json
    import os
    from datetime import date

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings")

    import django

    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.staticfiles import finders
    from django.template.loader import get_template
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils.html import escape

    import cpd
    from courses.models import Course
    from cpd.models import Membership, School

    setup_test_environment()

    email, password = "sarah@oakwood.test", "correct-horse-battery"
    school = School.objects.create(name="Oakwood Primary School", slug="oakwood-primary")
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, first_name="Sarah", last_name="Thompson"
    )
    Membership.objects.create(
        user=user,
        school=school,
        role="staff",
        staff_category="teaching",
        started_on=date(2024, 9, 1),
    )
    version = Course.objects.get(slug="safeguarding-induction").versions.latest()
    first_lesson = version.lessons.order_by("position").first()

    client = Client()
    result = {"cpd_file": cpd.__file__}
    # What APP_DIRS and the staticfiles finders resolve, with no DIRS in the host project.
    result["found"] = {
        name: str(get_template(name).origin.name)
        for name in [
            "cpd/base.html",
            "courses/lesson.html",
            "certificates/certificate.html",
        ]
    }
    result["found"]["static:cpd/cpd.css"] = finders.find("cpd/cpd.css")

    login = client.get("/accounts/login/")
    body = login.content.decode()
    result["login_status"] = login.status_code
    result["login_has_email_label"] = "Email address" in body
    result["login_templates"] = sorted({t.origin.name for t in login.templates if t.origin})

    signed_in = client.post("/accounts/login/", {"login": email.upper(), "password": password})
    result["signin_status"] = signed_in.status_code
    result["signin_location"] = signed_in.headers.get("Location")

    home = client.get("/")
    result["home_status"] = home.status_code
    result["home_has_course"] = "%(course_title)s" in home.content.decode()

    training = client.get("/training/")
    result["training_status"] = training.status_code
    result["training_has_course"] = "%(course_title)s" in training.content.decode()
    # base.html shows CPD_SITE_NAME through a template tag: no setting needed.
    result["site_name_shown"] = "Safeguarding CPD" in training.content.decode()

    start = client.post("/courses/safeguarding-induction/start/")
    result["start_status"] = start.status_code
    result["start_location"] = start.headers.get("Location")
    result["expected_lesson_url"] = (
        f"/courses/safeguarding-induction/lessons/{first_lesson.slug}/"
    )

    lesson = client.get(start.headers.get("Location", ""))
    result["lesson_status"] = lesson.status_code
    result["lesson_title"] = first_lesson.title
    result["lesson_has_title"] = escape(first_lesson.title) in lesson.content.decode()

    print("RESULT " + json.dumps(result))
    """
) % {"course_title": COURSE_TITLE}


def _run(args, *, timings, label, **kwargs):
    """Run one step, time it, and fail with its whole output if it fails."""
    started = time.perf_counter()
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    timings[label] = time.perf_counter() - started
    print(f"[packaging] {label}: {timings[label]:.1f}s")
    assert proc.returncode == 0, (
        f"{label} failed ({proc.returncode}): {' '.join(map(str, args))}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc


def _clean_env(**extra) -> dict:
    """The environment minus anything that would lead back to this checkout's settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_SETTINGS_MODULE",
            "PYTHONPATH",
            "PYTHONHOME",
            "VIRTUAL_ENV",
            "DATABASE_URL",
            "CPD_VAR_DIR",
        }
    }
    env.update(extra)
    return env


def _expected_wheel_files() -> set[str]:
    """Every file the wheel must carry, read from the checkout rather than kept by hand."""
    expected = {
        "cpd/templates/cpd/base.html",
        "cpd/templates/courses/lesson.html",
        "cpd/templates/certificates/certificate.html",
        "courses/content/safeguarding-induction/course.yaml",
        "cpd/static/cpd/cpd.css",
        "cpd/compliance/rules/kcsie.yaml",
    }
    for path in (REPO / "templates").rglob("*"):
        if path.is_file():
            expected.add(f"cpd/templates/{path.relative_to(REPO / 'templates').as_posix()}")
    for path in (REPO / "courses" / "content").rglob("*"):
        if path.is_file():
            expected.add(path.relative_to(REPO).as_posix())
    for app in APPS:
        for path in (REPO / app / "migrations").glob("*.py"):
            expected.add(path.relative_to(REPO).as_posix())
    return expected


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_django_project(tmp_path):
    timings: dict[str, float] = {}
    total = time.perf_counter()

    # 1. Build the wheel from this checkout.
    dist = tmp_path / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        + ["--no-input", "-w", dist, REPO],
        timings=timings,
        label="build wheel",
        cwd=tmp_path,
        env=_clean_env(),
    )
    wheels = sorted(dist.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel, got {[w.name for w in wheels]}"
    wheel = wheels[0]
    assert wheel.name.startswith("django_safeguarding_cpd-")

    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    missing = sorted(_expected_wheel_files() - names)
    assert not missing, f"missing from {wheel.name}: {missing}"
    assert not [n for n in names if n.startswith("tests/")], "the wheel ships the test suite"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    top_level = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top_level == set(APPS), f"unexpected top-level entries: {top_level - set(APPS)}"

    # 2. A fresh virtualenv, with the wheel installed from the file (never editable); its
    #    declared dependencies come from the package index, as they would for anyone else.
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", venv], timings=timings, label="create venv")
    python = venv / "bin" / "python"
    _run(
        [python, "-m", "pip", "install", "--no-input", wheel],
        timings=timings,
        label="pip install wheel",
        cwd=tmp_path,
        env=_clean_env(),
    )
    where = _run(
        [python, "-c", WHERE_SCRIPT],
        timings=timings,
        label="import check",
        cwd=tmp_path,
        env=_clean_env(),
    )
    *app_files, site_packages = json.loads(where.stdout)
    site_packages = [Path(p).resolve() for p in site_packages]
    for app_file in map(Path, app_files):
        assert any(app_file.resolve().is_relative_to(sp) for sp in site_packages), (
            f"{app_file} is not inside the fresh venv's site-packages {site_packages}"
        )
        assert not app_file.resolve().is_relative_to(REPO)

    # 3. A freshly generated Django project, edited exactly as the README says.
    project = tmp_path / "hostsite_project"
    project.mkdir()
    _run(
        [venv / "bin" / "django-admin", "startproject", "hostsite", project],
        timings=timings,
        label="startproject",
        cwd=tmp_path,
        env=_clean_env(),
    )
    settings_py = project / "hostsite" / "settings.py"
    settings_py.write_text(settings_py.read_text() + README_SETTINGS)
    urls_py = project / "hostsite" / "urls.py"
    urls = urls_py.read_text()
    assert "from django.urls import path\n" in urls and "admin.site.urls),\n" in urls
    urls = urls.replace("from django.urls import path\n", "from django.urls import include, path\n")
    urls = urls.replace(
        "admin.site.urls),\n", 'admin.site.urls),\n    path("", include("cpd.urls")),\n'
    )
    urls_py.write_text(urls)

    host_env = _clean_env()
    manage = [python, project / "manage.py"]
    for label, command in [
        ("migrate", ["migrate", "--no-input"]),
        ("cpd_load_courses", ["cpd_load_courses"]),
        ("cpd_load_rules kcsie", ["cpd_load_rules", "kcsie"]),
        ("check", ["check"]),
    ]:
        _run(manage + command, timings=timings, label=label, cwd=project, env=host_env)

    # 4. Render the pages with Django's test client, inside the host project.
    script = project / "render_pages.py"
    script.write_text(PAGES_SCRIPT)
    proc = _run([python, script], timings=timings, label="render pages", cwd=project, env=host_env)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert len(lines) == 1, f"no result from the page script:\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(lines[0].removeprefix("RESULT "))
    print(f"[packaging] pages: {json.dumps(result, indent=2)}")

    assert Path(result["cpd_file"]).resolve().is_relative_to(venv.resolve())
    for name, origin in result["found"].items():
        assert origin, f"{name} not found in the host project"
        assert Path(origin).resolve().is_relative_to(venv.resolve()), (name, origin)
        assert "/site-packages/cpd/" in origin, (name, origin)
    assert result["login_status"] == 200
    assert result["login_has_email_label"] is True
    # The login page came from the wheel's templates, found through APP_DIRS alone.
    assert result["login_templates"], "the login page rendered no template"
    for origin in result["login_templates"]:
        assert Path(origin).resolve().is_relative_to(venv.resolve()), origin
    assert any(
        o.endswith("cpd/templates/cpd/accounts/login.html") for o in result["login_templates"]
    )
    assert result["signin_status"] == 302
    assert result["signin_location"] == "/"
    assert result["home_status"] == 200  # the home page says what to do next
    assert result["home_has_course"] is True
    assert result["training_status"] == 200
    assert result["site_name_shown"] is True
    assert result["training_has_course"] is True
    assert result["start_status"] == 302
    assert result["start_location"] == result["expected_lesson_url"]
    assert result["lesson_status"] == 200
    assert result["lesson_title"]
    assert result["lesson_has_title"] is True

    # 5. The console command uses the standalone site's settings shipped in the wheel.
    cpd_help = _run(
        [venv / "bin" / "cpd", "help"],
        timings=timings,
        label="cpd help",
        cwd=tmp_path,
        env=_clean_env(CPD_VAR_DIR=str(tmp_path / "cpd-var")),
    )
    assert "cpd_demo" in cpd_help.stdout, cpd_help.stdout
    assert "cpd_load_courses" in cpd_help.stdout, cpd_help.stdout

    print(f"[packaging] total: {time.perf_counter() - total:.1f}s")

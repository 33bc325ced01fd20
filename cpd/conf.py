"""Settings for Safeguarding CPD, read as ``CPD_<NAME>`` from the host project's settings.

Nothing else in the project reads ``settings.CPD_*``: import ``cpd_settings`` from here.
The object is rebuilt when a test changes a setting (``setting_changed``).
"""

from django.core.signals import setting_changed
from django.dispatch import receiver

DEFAULTS = {
    # Shown on pages, emails and certificates as the product's name.
    "SITE_NAME": "Safeguarding CPD",
    # Absolute base URL used in emails and in the QR code on certificates, e.g.
    # "https://cpd.example.org". Empty: built from the request where there is one.
    "BASE_URL": "",
    # Prefix of certificate serial numbers: "CPD-2026-000123".
    "CERTIFICATE_SERIAL_PREFIX": "CPD",
    # Storage alias (in STORAGES) that holds certificate PDFs and evidence packs.
    "CERTIFICATE_STORAGE": "default",
    # Folders of course content loaded by `cpd_load_courses` when no path is given.
    # Empty: the courses shipped with the package.
    "COURSE_CONTENT_DIRS": [],
    # True: `cpd_load_courses` refuses a school's own course whose knowledge check someone
    # who has read nothing passes 5% of the time or more by guessing on surface cues (the
    # longest choice, the one naming the DSL, ...), as its --strict option does. False: the
    # course loads with a warning. Shipped courses follow their own switch
    # (courses.loading.check.SHIPPED_GUESSABLE_BANKS_REFUSED).
    "REFUSE_GUESSABLE_BANKS": False,
    # Default "due soon" window, in days, for requirements that do not set one.
    "DUE_SOON_DAYS": 30,
    # Email address that learner emails come from. Empty: DEFAULT_FROM_EMAIL.
    "FROM_EMAIL": "",
    # Largest evidence file (PDF, PNG or JPEG) a person may upload for training done
    # elsewhere, in bytes.
    "EVIDENCE_MAX_BYTES": 5 * 1024 * 1024,
    # Months after a person's last membership ends before `cpd_apply_retention` anonymises
    # them. Six years is a common school retention period for staff training records.
    "RETENTION_MONTHS": 72,
    # Largest staff import file accepted, in bytes (CSV or XLSX).
    "STAFF_IMPORT_MAX_BYTES": 5 * 1024 * 1024,
    # Most data rows a staff import file may have.
    "STAFF_IMPORT_MAX_ROWS": 10_000,
    # xAPI: the Learning Record Store's statements endpoint base, e.g.
    # "https://lrs.example.org/xapi/". Empty: no statements are sent (the default).
    "XAPI_ENDPOINT": "",
    # HTTP Basic credentials for the LRS.
    "XAPI_USERNAME": "",
    "XAPI_PASSWORD": "",
    # The account homePage that identifies people in statements (with an opaque id, never
    # their email). Empty: CPD_BASE_URL.
    "XAPI_HOME_PAGE": "",
    # How many times a statement is tried before it is given up (logged), and the seconds
    # to wait before the first retry (doubling each time).
    "XAPI_ATTEMPTS": 3,
    "XAPI_RETRY_DELAY": 2.0,
    # Seconds to wait for the LRS to answer one request.
    "XAPI_TIMEOUT": 10,
    # Certificate verification lookups allowed per client IP address, for the page and the
    # API each: "<number>/<s|m|h|d>", e.g. "60/m".
    "VERIFY_RATE": "60/m",
    # How many reverse proxies (or load balancers) in front of the site append the address
    # they were reached from to X-Forwarded-For. Every per-client rate limit takes the client
    # to be the address that many places from the right of that header (cpd.accounts.
    # addresses): sign-in, password reset, verification and the API. 0: the header is ignored
    # and REMOTE_ADDR is the client (no proxy).
    "TRUSTED_PROXY_COUNT": 0,
    # API tokens: the days a new token lasts unless its holder chooses fewer, and the most
    # they may choose.
    "API_TOKEN_DAYS": 90,
    "API_TOKEN_MAX_DAYS": 365,
    # Hours an evidence pack's download link stays valid after it is built.
    "EXPORT_TTL_HOURS": 24,
    # /health/ready/ reports the queue as behind once its oldest due task has waited this
    # many seconds for a worker.
    "HEALTH_QUEUE_MAX_AGE": 300,
    # Minutes after issue after which a certificate still without its PDF (every render
    # attempt failed) is listed for the DSL and re-rendered by `cpd_render_missing_pdfs`.
    "PDF_OVERDUE_MINUTES": 15,
}


class CPDSettings:
    def __init__(self, defaults: dict):
        self._defaults = defaults

    def __getattr__(self, name: str):
        if name not in self._defaults:
            raise AttributeError(f"Unknown Safeguarding CPD setting: CPD_{name}")
        from django.conf import settings

        value = getattr(settings, f"CPD_{name}", self._defaults[name])
        setattr(self, name, value)
        return value

    def reset(self) -> None:
        for name in self._defaults:
            self.__dict__.pop(name, None)


cpd_settings = CPDSettings(DEFAULTS)


@receiver(setting_changed, dispatch_uid="cpd.conf.reset")
def _reset_on_change(*, setting: str, **kwargs) -> None:
    if setting.startswith("CPD_"):
        cpd_settings.reset()

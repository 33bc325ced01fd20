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
    # Default "due soon" window, in days, for requirements that do not set one.
    "DUE_SOON_DAYS": 30,
    # Email address that learner emails come from. Empty: DEFAULT_FROM_EMAIL.
    "FROM_EMAIL": "",
    # Largest evidence file (PDF, PNG or JPEG) a person may upload for training done
    # elsewhere, in bytes.
    "EVIDENCE_MAX_BYTES": 5 * 1024 * 1024,
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

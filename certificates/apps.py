from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from certificates import checks  # noqa: F401  (registers system checks)
        from certificates.receivers import issue_on_course_passed
        from courses.signals import course_passed

        course_passed.connect(issue_on_course_passed, dispatch_uid="certificates.issue")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CpdConfig(AppConfig):
    name = "cpd"
    verbose_name = _("Safeguarding CPD")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cpd import checks  # noqa: F401  (registers system checks)
        from cpd.accounts import receivers  # noqa: F401  (connects sign-in receivers)

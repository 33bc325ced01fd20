from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpd.models.schools import School, SchoolOwnedQuerySet


class AuditEventQuerySet(SchoolOwnedQuerySet):
    """Append-only for querysets too: ``update()`` and ``delete()`` refuse, like the
    instance methods. The one change the trail allows is ``redact()``."""

    def update(self, **kwargs):
        raise ValueError("Audit events are append-only.")

    def delete(self):
        raise ValueError("Audit events are append-only.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ValueError("Audit events are append-only.")

    def redact(self, *, target_repr: str) -> int:
        """Replace the display text that names a person (and nothing else) when they are
        anonymised: what happened, when and by whom stays as recorded."""
        return super().update(target_repr=target_repr)


class AuditEvent(models.Model):
    """One thing that happened, recorded by the service that did it. Never edited."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    school = models.ForeignKey(
        School, verbose_name=_("school"), null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100)
    target_id = models.CharField(_("target id"), max_length=64)
    target_repr = models.CharField(_("target"), max_length=300)
    data = models.JSONField(_("what changed"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

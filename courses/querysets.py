"""A course version's content is fixed once anyone has enrolled on it: its learners were
taught and tested on it, their certificates name it, and pages may keep its lessons in the
cache (keyed by the version's content hash). Changed content is loaded as a new version
(``course_load`` only ever creates versions).

``FrozenContentModel`` holds that in the model layer, for a ``CourseVersion`` and for
everything in it (modules, lessons, scenario choices, questions, choices): ``save()`` and
``delete()`` on an object, and ``update()``, ``delete()``, ``bulk_create()`` and
``bulk_update()`` on a query set, raise ``courses.errors.VersionInUse`` naming the version
rather than change a version with learners. Each model says how to reach its version
(``content_version_path``); a check costs one query. Raw SQL can still get past it, and so
can a migration's historical models."""

from django.db import models
from django.db.models import Q

from courses.errors import VersionInUse


def _version_model(model):
    if model.content_version_path == "pk":
        return model
    for name in model.content_version_path.split("__"):
        model = model._meta.get_field(name).related_model
    return model


def _parent_versions(model, objs) -> list:
    """What would hold the versions these objects (new or changed) belong to: a list of
    version ids, or a query of them through their parent (a lesson, a question)."""
    path = model.content_version_path
    if path == "pk":
        return []  # a new version has nobody on it yet
    head, _, rest = path.partition("__")
    ids = {getattr(obj, f"{head}_id") for obj in objs} - {None}
    if not rest:
        return [list(ids)]
    parent = model._meta.get_field(head).related_model
    return [parent._base_manager.filter(pk__in=ids).values(rest)]


def refuse_if_in_use(model, *sources) -> None:
    """Raise ``VersionInUse`` if any version among ``sources`` (lists or queries of version
    ids) has learners."""
    sources = [source for source in sources if not isinstance(source, list) or source]
    if not sources:
        return
    among = Q()
    for source in sources:
        among |= Q(pk__in=source)
    version = (
        _version_model(model)
        ._base_manager.filter(among, enrolments__isnull=False)
        .select_related("course")
        .order_by("pk")
        .first()
    )
    if version is not None:
        raise VersionInUse(version)


class FrozenContentQuerySet(models.QuerySet):
    def _stored_versions(self):
        return self.order_by().values(self.model.content_version_path)

    def update(self, **kwargs):
        head = self.model.content_version_path.partition("__")[0]
        moved = []
        target = kwargs.get(head, kwargs.get(f"{head}_id"))
        if head != "pk" and isinstance(target, int | models.Model):
            # moved to another parent: that version must be free too
            target_id = getattr(target, "pk", target)
            moved = _parent_versions(self.model, [self.model(**{f"{head}_id": target_id})])
        refuse_if_in_use(self.model, self._stored_versions(), *moved)
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        refuse_if_in_use(self.model, self._stored_versions())
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Checked before Django's own transaction, which has no savepoint to roll back to.
        objs = list(objs)
        head = self.model.content_version_path.partition("__")[0]
        moved = _parent_versions(self.model, objs) if head in fields else []
        stored = self.filter(pk__in=[obj.pk for obj in objs])._stored_versions()
        refuse_if_in_use(self.model, stored, *moved)
        return super().bulk_update(objs, fields, *args, **kwargs)

    bulk_update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        refuse_if_in_use(self.model, *_parent_versions(self.model, objs))
        return super().bulk_create(objs, *args, **kwargs)


class FrozenContentModel(models.Model):
    """Refuses to save or delete this object while its version has learners."""

    #: The lookup from this model to its ``CourseVersion`` ("pk" for the version itself).
    content_version_path = "version"

    objects = FrozenContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_in_use()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_in_use()
        return super().delete(*args, **kwargs)

    def _refuse_if_in_use(self) -> None:
        stored = []
        if not self._state.adding and self.pk is not None:
            stored = [type(self)._base_manager.filter(pk=self.pk).values(self.content_version_path)]
        refuse_if_in_use(type(self), *stored, *_parent_versions(type(self), [self]))

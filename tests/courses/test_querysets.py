"""Once anyone has enrolled on a course version, the models refuse to change it or anything
in it, whichever way the change is asked for: an object's save() or delete(), or a query
set's update(), delete(), bulk_create() or bulk_update(). A version nobody is on can be
changed freely."""

import pytest

from courses.errors import VersionInUse
from courses.models import (
    Choice,
    CourseVersion,
    Lesson,
    Module,
    Question,
    ScenarioChoice,
)
from tests.factories import (
    ChoiceFactory,
    CourseVersionFactory,
    EnrolmentFactory,
    LessonFactory,
    ModuleFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

MESSAGE = (
    "Version 3 of Keeping children safe has learners, so its content is fixed. Load the "
    "changed course with cpd_load_courses to publish a new version."
)


def _version(**kwargs) -> CourseVersion:
    return CourseVersionFactory(course__title="Keeping children safe", number=3, **kwargs)


def _content(version: CourseVersion) -> dict:
    """One of everything in the version, by model."""
    module = ModuleFactory(version=version)
    lesson = LessonFactory(module=module, kind=Lesson.Kind.SCENARIO)
    scenario_choice = ScenarioChoice.objects.create(
        lesson=lesson, position=1, text="Tell the DSL", feedback="Yes.", is_best=True
    )
    question = QuestionFactory(version=version, module=module)
    choice = ChoiceFactory(question=question)
    return {
        CourseVersion: version,
        Module: module,
        Lesson: lesson,
        ScenarioChoice: scenario_choice,
        Question: question,
        Choice: choice,
    }


# One changed field for each model, and a way to make another of each in the same version.
CHANGES = {
    CourseVersion: ("title", "Changed"),
    Module: ("title", "Changed"),
    Lesson: ("body", "Changed."),
    ScenarioChoice: ("feedback", "Changed."),
    Question: ("prompt", "Changed?"),
    Choice: ("text", "Changed"),
}


def _another(model, content):
    version, lesson, question = content[CourseVersion], content[Lesson], content[Question]
    return {
        Module: lambda: Module(version=version, slug="another", title="Another", position=9),
        Lesson: lambda: Lesson(
            module=content[Module], version=version, slug="another", title="Another", position=9
        ),
        ScenarioChoice: lambda: ScenarioChoice(
            lesson=lesson, position=9, text="Another", feedback="No."
        ),
        Question: lambda: Question(
            version=version, key="another", kind="single", prompt="?", explanation=".", position=9
        ),
        Choice: lambda: Choice(question=question, position=9, text="Another"),
    }[model]()


def _stored(model, pk):
    field, _value = CHANGES[model]
    return model._base_manager.filter(pk=pk).values_list(field, flat=True).first()


@pytest.fixture
def in_use():
    content = _content(_version())
    EnrolmentFactory(course_version=content[CourseVersion])
    return content


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda m: m.__name__)
def test_saving_content_of_a_version_with_learners_is_refused(in_use, model):
    obj = in_use[model]
    field, value = CHANGES[model]
    before = _stored(model, obj.pk)
    setattr(obj, field, value)
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$") as refused:
        obj.save()
    assert refused.value.version == in_use[CourseVersion]
    assert (refused.value.status, refused.value.code) == (409, "version_in_use")
    assert _stored(model, obj.pk) == before


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda m: m.__name__)
def test_deleting_content_of_a_version_with_learners_is_refused(in_use, model):
    obj = in_use[model]
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        obj.delete()
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        model.objects.filter(pk=obj.pk).delete()
    assert model.objects.filter(pk=obj.pk).count() == 1


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda m: m.__name__)
def test_updating_content_of_a_version_with_learners_is_refused(in_use, model):
    obj = in_use[model]
    field, value = CHANGES[model]
    before = _stored(model, obj.pk)
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        model.objects.filter(pk=obj.pk).update(**{field: value})
    setattr(obj, field, value)
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        model.objects.bulk_update([obj], [field])
    assert _stored(model, obj.pk) == before


@pytest.mark.parametrize("model", [m for m in CHANGES if m is not CourseVersion])
def test_adding_to_a_version_with_learners_is_refused(in_use, model):
    count = model.objects.count()
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        _another(model, in_use).save()
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        model.objects.bulk_create([_another(model, in_use)])
    assert model.objects.count() == count


def test_moving_a_lesson_into_a_version_with_learners_is_refused(in_use):
    free = _content(CourseVersionFactory())
    lesson = free[Lesson]
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        Lesson.objects.filter(pk=lesson.pk).update(version=in_use[CourseVersion])
    lesson.version = in_use[CourseVersion]
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        lesson.save()
    assert Lesson.objects.get(pk=lesson.pk).version == free[CourseVersion]


def test_a_version_with_learners_stays_whole_when_a_queryset_spans_versions(in_use):
    free = _content(CourseVersionFactory())
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        Lesson.objects.all().update(body="Changed.")
    with pytest.raises(VersionInUse, match=f"^{MESSAGE}$"):
        Module.objects.all().delete()
    assert sorted(Lesson.objects.values_list("body", flat=True)) == sorted(
        [in_use[Lesson].body, free[Lesson].body]
    )
    assert Module.objects.count() == 2


@pytest.mark.parametrize("model", list(CHANGES), ids=lambda m: m.__name__)
def test_a_version_nobody_is_on_can_be_changed(model):
    content = _content(_version())
    obj = content[model]
    field, value = CHANGES[model]
    setattr(obj, field, value)
    obj.save()
    assert _stored(model, obj.pk) == value
    model.objects.filter(pk=obj.pk).update(**{field: "Again"})
    assert _stored(model, obj.pk) == "Again"
    if model is not CourseVersion:
        _another(model, content).save()
    obj.delete()
    assert model.objects.filter(pk=obj.pk).count() == 0


def test_a_learner_on_another_version_of_the_course_does_not_fix_this_one():
    content = _content(_version())
    EnrolmentFactory(course_version=CourseVersionFactory(course=content[CourseVersion].course))
    content[Lesson].body = "Changed."
    content[Lesson].save()
    assert Lesson.objects.get(pk=content[Lesson].pk).body == "Changed."

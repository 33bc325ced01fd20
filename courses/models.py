from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from courses.querysets import FrozenContentModel


class Course(models.Model):
    """A course's stable identity. Its content lives in versions."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self) -> str:
        return self.title


class GuidanceEdition(models.Model):
    """One edition of the guidance courses are reviewed against (``KCSIE 2025``) and the day
    it came into force. Rule packs list them (``cpd/compliance/rules/*.yaml``); a course
    version reviewed against an edition of a series that a later edition has replaced is
    due a content review (``courses.selectors.content_review``)."""

    series = models.CharField(_("guidance"), max_length=100)
    name = models.CharField(_("edition"), max_length=100, unique=True)
    in_force_from = models.DateField(_("in force from"))

    class Meta:
        ordering = ["series", "in_force_from"]
        verbose_name = _("guidance edition")
        verbose_name_plural = _("guidance editions")

    def __str__(self) -> str:
        return self.name


class CourseVersion(FrozenContentModel):
    """One published state of a course's content. Never changed once anyone enrols on it
    (``courses.querysets``)."""

    content_version_path = "pk"

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    published_at = models.DateTimeField(_("published at"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    audience = models.JSONField(_("audience"), default=list, blank=True)
    objectives = models.JSONField(_("learning objectives"), default=list, blank=True)
    reviewed_against = models.CharField(_("reviewed against"), max_length=100)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    cpd_minutes = models.PositiveIntegerField(_("CPD minutes"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    questions_per_attempt = models.PositiveSmallIntegerField(_("questions per attempt"))
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"))
    retry_cooldown = models.DurationField(_("wait between attempts"))
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True, help_text=_("Empty: does not expire.")
    )
    reveal_answers = models.BooleanField(_("show correct answers after an attempt"), default=True)
    word_count = models.PositiveIntegerField(_("words"), default=0)

    class Meta:
        ordering = ["course", "-number"]
        get_latest_by = "number"
        verbose_name = _("course version")
        verbose_name_plural = _("course versions")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="courses_version_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=1, pass_mark__lte=100),
                name="courses_version_pass_mark_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.number})"

    @cached_property
    def has_learners(self) -> bool:
        """Whether anyone has enrolled: from then on its content is fixed. Asked once per
        instance (an admin page asks for every permission of every inline)."""
        return self.enrolments.exists()


class Module(FrozenContentModel):
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="modules"
    )
    slug = models.SlugField(_("slug"))
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="courses_module_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Lesson(FrozenContentModel):
    class Kind(models.TextChoices):
        CONTENT = "content", _("Reading")
        SCENARIO = "scenario", _("Scenario")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")

    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="lessons"
    )
    # Denormalised from the module so that a version's lessons are one indexed query.
    version = models.ForeignKey(
        CourseVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="lessons"
    )
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CONTENT)
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Order within the whole course.")
    )
    body = models.TextField(_("body (Markdown)"), blank=True)
    minutes = models.PositiveSmallIntegerField(_("minutes"), default=1)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    prompt = models.TextField(_("scenario question"), blank=True)
    document = models.CharField(_("document"), max_length=200, blank=True)
    document_version = models.CharField(_("document version"), max_length=50, blank=True)
    statement = models.CharField(_("statement"), max_length=300, blank=True)
    documents = models.JSONField(
        _("documents to choose from"),
        default=list,
        blank=True,
        help_text=_(
            "An acknowledgement offering several documents: who each is for and the statement "
            "confirmed; the learner confirms the one they read."
        ),
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="courses_lesson_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class ScenarioChoice(FrozenContentModel):
    content_version_path = "lesson__version"

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    feedback = models.TextField(_("feedback"))
    is_best = models.BooleanField(_("best response"), default=False)

    class Meta:
        ordering = ["lesson", "position"]
        verbose_name = _("scenario choice")
        verbose_name_plural = _("scenario choices")

    def __str__(self) -> str:
        return self.text


class Question(FrozenContentModel):
    class Kind(models.TextChoices):
        SINGLE = "single", _("One answer")
        MULTIPLE = "multiple", _("Several answers")
        TRUE_FALSE = "true_false", _("True or false")

    version = models.ForeignKey(
        CourseVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField(_("key"), max_length=100, help_text=_("Stable id from the bank file."))
    module = models.ForeignKey(
        Module, verbose_name=_("module"), null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    is_scenario = models.BooleanField(_("scenario"), default=False)
    prompt = models.TextField(_("prompt"))
    explanation = models.TextField(_("explanation"))
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="courses_question_key_unique"),
        ]

    def __str__(self) -> str:
        return self.prompt[:80]


class Choice(FrozenContentModel):
    content_version_path = "question__version"

    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"), blank=True)

    class Meta:
        ordering = ["question", "position"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class Enrolment(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    membership = models.ForeignKey(
        "cpd.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    course_version = models.ForeignKey(
        CourseVersion,
        verbose_name=_("course version"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "course_version"],
                condition=Q(status="in_progress"),
                name="courses_enrolment_one_active_per_membership_version",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="courses_enrolment_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} — {self.course_version}"


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="progress"
    )
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.PROTECT)
    started_at = models.DateTimeField(_("started at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(_("seconds spent"), default=0)
    scenario_choice = models.ForeignKey(
        ScenarioChoice,
        verbose_name=_("scenario response"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"], name="courses_progress_one_per_lesson"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} — {self.enrolment}"


class Acknowledgement(models.Model):
    """A person's confirmation that they have read a named version of a document."""

    membership = models.ForeignKey(
        "cpd.Membership",
        verbose_name=_("membership"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, null=True, blank=True
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.PROTECT, null=True, blank=True
    )
    document = models.CharField(_("document"), max_length=200)
    document_version = models.CharField(_("document version"), max_length=50)
    statement = models.CharField(_("statement"), max_length=300)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self) -> str:
        return f"{self.document} ({self.document_version})"


class Attempt(models.Model):
    """One sitting of a knowledge check. ``served`` fixes what was asked, in order:
    ``[{"question": <id>, "choices": [<id>, ...], "values": [<value>, ...]}, ...]``, where
    ``values`` are the random values the choices are served under (the page and the API show
    only those); grading reads only this."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.PROTECT, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    served = models.JSONField(_("questions served"))
    started_at = models.DateTimeField(_("started at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        ordering = ["enrolment", "number"]
        verbose_name = _("attempt")
        verbose_name_plural = _("attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "number"], name="courses_attempt_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} — {self.enrolment}"


class Answer(models.Model):
    attempt = models.ForeignKey(
        Attempt, verbose_name=_("attempt"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT)
    choices = models.ManyToManyField(Choice, verbose_name=_("chosen"), blank=True)
    correct = models.BooleanField(_("correct"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "question"], name="courses_answer_one_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question} — {self.attempt}"

"""The annual safeguarding update: the corrections and new topics of issue 20.

Each test reads the shipped course through the loader and pins the wording a safeguarding
trainer asked for, with the wrong wording it replaced absent.
"""

import re
from functools import cache
from pathlib import Path

import pytest

from courses.content import CourseSpec, course_spec_read
from courses.loading.item_quality import GUESS_PASS_LIMIT, bank_report

FOLDER = Path(__file__).resolve().parents[2] / "courses" / "content" / "annual-safeguarding-update"
PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")
ALLOWED_PLACEHOLDERS = {
    "school.name",
    "school.dsl",
    "school.deputies",
    "school.recording_system",
    "school.lado_contact",
    "school.childrens_social_care",
    "school.prevent_contact",
}
CONSULTATION = "(2026 consultation draft)"


@cache
def spec() -> CourseSpec:
    return course_spec_read(FOLDER)


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces folded to single spaces."""
    return " ".join(text.split())


def lessons():
    return {lesson.file: lesson for module in spec().modules for lesson in module.lessons}


def lesson_text(file: str) -> str:
    lesson = lessons()[file]
    parts = [lesson.body, lesson.prompt or ""]
    for choice in lesson.choices or []:
        parts += [choice["text"], choice.get("feedback", "")]
    return flat(" ".join(parts))


def question(key: str):
    return next(q for q in spec().questions if q.key == key)


def question_text(q) -> str:
    parts = [q.prompt, q.explanation]
    for choice in q.choices:
        parts += [choice["text"], choice.get("feedback") or ""]
    return flat(" ".join(parts))


def correct_choice(key: str) -> str:
    (text,) = [c["text"] for c in question(key).choices if c["correct"]]
    return flat(text)


def every_text() -> str:
    return " ".join(
        [lesson_text(file) for file in lessons()] + [question_text(q) for q in spec().questions]
    )


# ------------------------------------------------------------------ corrections (issue 20)


def test_fgm_duty_is_the_teachers_personal_duty_to_report_on_101():
    text = lesson_text("12-so-called-honour-based-abuse-fgm-and-forced-marriage.md")
    assert "This is a **personal** duty" in text
    assert "report it yourself to the police by calling **101**" in text
    assert "it **cannot be passed to the DSL**" in text
    assert "best by the close of the next working day" in text
    assert "the girl tells you it has happened, or you see signs that it has" in text
    assert "never examine a child to check" in text
    assert (
        "For cases that are suspected, or where a girl may be at risk, tell the DSL straight"
        " away. If you are not a teacher and you discover FGM, tell the DSL straight away."
    ) in text
    # The old wording left the duty unqualified and the DSL as a route.
    assert "appears to have been carried out on a girl under 18. Tell the DSL too." not in (
        every_text()
    )


def test_fgm_questions_pin_the_personal_duty_and_the_dsl_route_for_others():
    assert correct_choice("fgm-known-case-teacher") == (
        "Report it personally to the police on 101, best by the close of the next working"
        " day, and tell the DSL."
    )
    assert correct_choice("fgm-duty-cannot-be-passed") == "True"
    assert correct_choice("fgm-at-risk-teaching-assistant") == (
        "Go to the DSL straight away and tell them exactly what she heard."
    )


def test_a_missing_child_follows_the_procedure_and_999_is_for_immediate_danger():
    text = lesson_text("07-exploitation-radicalisation-and-mental-health.md")
    assert "3. If a child goes missing, follow the school's missing-child procedure." in text
    assert "4. If a child is in immediate danger, call 999, then tell the DSL." in text
    assert "If a child is missing or in immediate danger, call 999" not in every_text()
    assert correct_choice("missing-on-a-trip") == (
        "Alert the trip leader at once and follow the school's missing-child procedure."
    )


def test_urgency_act_immediately_and_always_before_the_child_leaves():
    disclosure = lesson_text("17-handling-a-disclosure.md")
    assert (
        "4. Tell the DSL or a deputy as soon as possible, and always before the child goes home."
    ) in disclosure
    assert "before the child goes home if you can" not in every_text()
    could_happen = lesson_text("04-it-could-happen-here.md")
    assert "**Report** to the DSL or a deputy straight away." in could_happen
    assert "to the DSL or a deputy the same day" not in could_happen
    mental_health = lesson_text("07-exploitation-radicalisation-and-mental-health.md")
    assert (
        "a mental health concern that is also a safeguarding concern needs immediate action"
    ) in mental_health


def test_mental_health_question_wants_the_dsl_straight_away_not_later_today():
    assert correct_choice("mental-health-indicator") == (
        "Listen, take her seriously, and go to the DSL or a deputy straight away."
    )
    wrong = [c["text"] for c in question("mental-health-indicator").choices if not c["correct"]]
    assert (
        "Listen, take it seriously, and tell the DSL before you go home tonight, following the"
        " school's policy."
    ) in wrong
    assert "tell the DSL today, following the school's policy" not in every_text()


def test_annex_b_is_a_should_for_leaders_and_staff_working_directly_with_children():
    assert correct_choice("annex-b-who-should-read") == (
        "School leaders and staff who work directly with children"
    )
    annex_b = lessons()["28-acknowledgement-kcsie-annex-b.md"]
    assert annex_b.kind == "acknowledgement"
    assert "KCSIE says school leaders, and staff who work directly with children, **should**" in (
        flat(annex_b.body)
    )
    assert "may ask leaders and staff who work directly with children to read Annex B" not in (
        every_text()
    )


def test_acknowledgements_offer_the_annex_a_variant_and_annex_b():
    acknowledgements = {
        lesson.file: [(d["who"], d["document"]) for d in lesson.documents]
        for lesson in lessons().values()
        if lesson.kind == "acknowledgement"
    }
    assert acknowledgements == {
        "27-acknowledgement-kcsie-part-one-or-annex-a.md": [
            (
                "If you work directly with children",
                "Keeping children safe in education 2025, Part one",
            ),
            (
                "If you do not work directly with children and your school has asked you to "
                "read Annex A",
                "Keeping children safe in education 2025, Annex A",
            ),
        ],
        "28-acknowledgement-kcsie-annex-b.md": [
            (
                "If you are a school leader or work directly with children",
                "Keeping children safe in education 2025, Annex B",
            ),
            (
                "If you do not work directly with children and your school has not asked you "
                "to read Annex B",
                "Keeping children safe in education 2025, Annex B (not asked to read it)",
            ),
        ],
    }


def test_an_image_seen_by_accident_goes_to_the_dsl_and_adult_involvement_to_police():
    text = lesson_text("06-child-on-child-abuse.md")
    assert "If you see an image by accident" in text
    assert "You have not done anything wrong, and you will be supported." in text
    assert "Never share the image with other staff or with parents" in text
    assert "the police must be told urgently" in text
    assert correct_choice("image-seen-by-accident") == (
        "Tell the DSL what happened. You have done nothing wrong and will be supported, and"
        " you don't share it with anyone else."
    )


def test_possible_abuse_material_is_not_screenshotted_or_revisited_and_goes_to_the_iwf():
    text = lesson_text("24-online-safety-and-filtering.md")
    assert "don't screenshot it, copy it, download it or send the link to anyone" in text
    assert "don't go back to it, even to check" in text
    assert "note the web address, the time and the device" in text
    assert "The DSL reports it to the Internet Watch Foundation (IWF)" in text
    assert "Don't copy or save it on your own phone." not in text
    assert correct_choice("possible-abuse-material") == (
        "Close it without going back, note the web address, and tell the DSL straight away."
    )


def test_no_wording_assumes_harm_before_the_child_has_spoken():
    lesson_texts = " ".join(lesson_text(file) for file in lessons())
    assert "If someone is hurting you" not in lesson_texts
    # In the bank it survives only as a wrong choice, whose feedback says why it is wrong.
    uses = [
        (q.key, c["correct"], c["feedback"])
        for q in spec().questions
        for c in q.choices
        if "someone is hurting" in c["text"].lower()
    ]
    assert uses == [
        ("neutral-words", False, "This assumes harm, and makes a promise you can't keep.")
    ]
    assert [q.key for q in spec().questions if "someone is hurting" in q.explanation] == []
    assert "If what you tell me means you might not be safe" in lesson_text(
        "17-handling-a-disclosure.md"
    )


# ------------------------------------------------------------------ new topics

NEW_TOPICS = {
    # topic: (lesson file, scenario (a scenario lesson or a scenario question), questions)
    "honour-based abuse, FGM and forced marriage": (
        "12-so-called-honour-based-abuse-fgm-and-forced-marriage.md",
        "13-scenario-a-trip-before-the-summer-holiday.md",
        {
            "fgm-known-case-teacher",
            "fgm-at-risk-teaching-assistant",
            "fgm-duty-cannot-be-passed",
            "forced-marriage-age",
            "forced-marriage-sixth-former",
            "honour-abuse-family-network",
        },
    ),
    "children who may be more vulnerable": (
        "09-children-who-may-be-more-vulnerable.md",
        "10-scenario-a-pupil-with-send-in-a-primary-class.md",
        {
            "send-barriers",
            "lgbt-children",
            "looked-after-reason",
            "social-worker-children",
            "send-pupil-withdrawn",
        },
    ),
    "self-harm and suicide": (
        "18-responding-to-self-harm-and-suicidal-thoughts.md",
        "self-harm-marks",
        {"self-harm-marks", "self-harm-immediate-danger", "self-harm-response"},
    ),
    "domestic abuse and Operation Encompass": (
        "11-domestic-abuse-and-operation-encompass.md",
        "relationship-abuse-between-pupils",
        {
            "domestic-abuse-victims",
            "operation-encompass",
            "encompass-quiet-support",
            "relationship-abuse-between-pupils",
        },
    ),
    "children missing education": (
        "14-children-missing-education.md",
        "removing-from-the-register",
        {
            "repeated-absence",
            "removing-from-the-register",
            "missing-on-a-trip",
            "missing-during-the-day",
        },
    ),
    "serious violence and weapons": (
        "15-serious-violence-and-weapons.md",
        "16-scenario-a-supply-teacher-hears-about-a-knife.md",
        {"serious-violence-signs", "who-can-search", "violence-victim-too", "knife-talk-at-lunch"},
    ),
    "KCSIE 2026 consultation proposals": (
        "26-changes-proposed-for-kcsie-2026.md",
        "misogyny-in-class",
        {"consultation-status", "consultation-topics", "misogyny-in-class"},
    ),
}


@pytest.mark.parametrize("topic", NEW_TOPICS)
def test_each_new_topic_has_a_cited_lesson_a_scenario_and_three_questions(topic):
    file, scenario, keys = NEW_TOPICS[topic]
    lesson = lessons()[file]
    assert lesson.sources and all(s["url"].startswith("https://") for s in lesson.sources)
    module = next(m.slug for m in spec().modules if lesson in m.lessons)
    if scenario.endswith(".md"):
        assert lessons()[scenario].kind == "scenario"
    else:
        assert question(scenario).scenario is True
    assert len(keys) >= 3
    assert {question(key).module for key in keys} == {module}


def test_forced_marriage_under_18_and_the_forced_marriage_unit():
    text = lesson_text("12-so-called-honour-based-abuse-fgm-and-forced-marriage.md")
    assert (
        "Since February 2023, any marriage of a child under 18 is illegal in England and Wales,"
        " even if no force or pressure is used."
    ) in text
    assert "The Forced Marriage Unit" in text


def test_children_missing_education_the_school_tells_the_local_authority():
    text = lesson_text("14-children-missing-education.md")
    assert (
        "The school must tell the local authority when a pupil's name is going to be removed"
        " from the admission register"
    ) in text
    assert correct_choice("removing-from-the-register") == "The local authority"


def test_operation_encompass_and_relationship_abuse_between_young_people():
    text = lesson_text("11-domestic-abuse-and-operation-encompass.md")
    assert "before the start of the next school day" in text
    assert "teenage relationship abuse" in text


def test_consultation_topics_are_marked_as_drafts_not_guidance_in_force():
    for file in ("15-serious-violence-and-weapons.md", "26-changes-proposed-for-kcsie-2026.md"):
        assert any(s["title"].endswith(CONSULTATION) for s in lessons()[file].sources), file
    text = lesson_text("26-changes-proposed-for-kcsie-2026.md")
    assert (
        "**Everything in this lesson is a proposal from that consultation. It is not guidance"
        " in force.**"
    ) in text
    for topic in ("Misogyny", "Mobile phones", "Children who are questioning their gender"):
        assert f"**{topic}.**" in text
    # Only lessons built on the consultation say they are drafts.
    assert sorted(
        file
        for file, lesson in lessons().items()
        if any(CONSULTATION in s["title"] for s in lesson.sources)
    ) == ["15-serious-violence-and-weapons.md", "26-changes-proposed-for-kcsie-2026.md"]


def test_learner_support_note_near_the_start_names_organisations_without_numbers():
    files = list(lessons())
    assert files.index("02-if-this-training-is-hard-for-you.md") == 1
    text = lesson_text("02-if-this-training-is-hard-for-you.md")
    for name in ("employee assistance programme", "NAPAC", "NSPCC Helpline"):
        assert name in text
    assert re.search(r"\d{4}\s?\d{3}\s?\d{3,4}", text) is None


# ------------------------------------------------------------------ scenarios and bank


def test_scenario_lessons_show_no_callout_before_the_choices():
    scenarios = [lesson for lesson in lessons().values() if lesson.kind == "scenario"]
    assert [lesson.file for lesson in scenarios if "!!!" in lesson.body] == []
    assert len(scenarios) == 7


def test_grey_scenarios_have_a_defensible_second_choice_whose_feedback_says_so():
    grey = [
        lesson.file
        for lesson in lessons().values()
        if lesson.kind == "scenario"
        and any(
            not c["best"] and re.match(r"(This is defensible|This is close)", c["feedback"])
            for c in lesson.choices
        )
    ]
    assert grey == [
        "08-scenario-a-change-in-a-pupil.md",
        "10-scenario-a-pupil-with-send-in-a-primary-class.md",
        "13-scenario-a-trip-before-the-summer-holiday.md",
        "16-scenario-a-supply-teacher-hears-about-a-knife.md",
        "20-scenario-a-disclosure-at-home-time.md",
        "23-scenario-a-colleague-and-a-pupil.md",
        "25-scenario-something-gets-through-the-filter.md",
    ]


def test_scenarios_cover_primary_send_supply_staff_governor_and_between_children():
    bodies = {file: flat(lesson.body) for file, lesson in lessons().items()}
    send = bodies["10-scenario-a-pupil-with-send-in-a-primary-class.md"]
    assert "Year 3 class" in send and "autistic" in send
    knife = bodies["16-scenario-a-supply-teacher-hears-about-a-knife.md"]
    assert "You are a supply teacher" in knife and "Jayden's got a blade" in knife
    assert question("governor-learning-walk").prompt.startswith("You are a governor")


def test_questions_never_copy_a_scenario_lessons_wording():
    def shingles(text: str, n: int = 7) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    scenario_words = set().union(
        *(shingles(lesson.body) for lesson in lessons().values() if lesson.kind == "scenario")
    )
    assert [q.key for q in spec().questions if shingles(q.prompt) & scenario_words] == []


def test_placeholders_are_the_agreed_names_and_only_in_lesson_bodies():
    used = {name for lesson in lessons().values() for name in PLACEHOLDER.findall(lesson.body)}
    assert used == ALLOWED_PLACEHOLDERS - {"school.name"}
    assert [q.key for q in spec().questions if "{{" in question_text(q)] == []
    assert [
        lesson.file
        for lesson in lessons().values()
        if "{{" in " ".join([lesson.prompt or ""] + [c["text"] for c in lesson.choices or []])
    ] == []


def test_every_guesser_passes_under_five_percent():
    report = bank_report(spec=spec())
    assert [(f.guesser, f.percent) for f in report.figures if f.guessable] == []
    assert all(f.pass_probability < GUESS_PASS_LIMIT for f in report.figures)
    assert (report.bank, report.drawn, report.pass_mark, report.max_attempts) == (81, 10, 80, 3)


def test_true_false_answers_are_balanced():
    answers = [correct_choice(q.key) for q in spec().questions if q.kind == "true_false"]
    assert (answers.count("True"), answers.count("False")) == (8, 6)


def test_select_all_questions_each_have_at_least_two_wrong_choices():
    multiple = [q for q in spec().questions if q.kind == "multiple"]
    assert [q.key for q in multiple if sum(not c["correct"] for c in q.choices) < 2] == []

"""The safeguarding induction's wording: the corrections of issue 20 that fall in it, the topics
it must cover to stand alone as KCSIE induction, and a bank that surface cues do not pass.

Everything is read through the loader, as the site reads it."""

import re
from functools import cache

from courses.loading.course import course_spec_read, shipped_course_folders
from courses.loading.item_quality import bank_report

PLACEHOLDERS = {
    "school.name",
    "school.dsl",
    "school.deputies",
    "school.recording_system",
    "school.lado_contact",
    "school.childrens_social_care",
    "school.prevent_contact",
}
PLACEHOLDER = re.compile(r"\{\{\s*([^}]*?)\s*\}\}")


@cache
def spec():
    [folder] = [f for f in shipped_course_folders() if f.name == "safeguarding-induction"]
    return course_spec_read(folder)


def lessons():
    return {lesson.file: lesson for module in spec().modules for lesson in module.lessons}


def lesson(file):
    return lessons()[file]


def question(key):
    [found] = [q for q in spec().questions if q.key == key]
    return found


def choice_texts(q, *, correct):
    return [c["text"] for c in q.choices if c["correct"] is correct]


def learner_text():
    """Every word a learner can read in lessons and the bank."""
    parts = []
    for item in lessons().values():
        parts += [item.body, item.prompt]
        for c in item.choices:
            parts += [c["text"], c.get("feedback", "")]
    for q in spec().questions:
        parts += [q.prompt, q.explanation]
        for c in q.choices:
            parts += [c["text"], c.get("feedback") or ""]
    return "\n".join(parts)


def flat(text):
    return " ".join(text.split())


# ------------------------------------------------------------------ corrections of issue 20


def test_noting_a_number_plate_is_not_called_investigating_but_asking_the_child_is():
    """Correction 5: safely noting a plate is fine; asking the child who the man is is not."""
    q = question("older-man-car")
    [right] = choice_texts(q, correct=True)
    assert "including the car's number plate if you saw it safely" in flat(right)
    wrong = [c for c in q.choices if not c["correct"]]
    assert [flat(c["text"]) for c in wrong if "who the man is" in c["text"]] == [
        "Ask her who the man is and how she knows him, and then report it to the DSL if her "
        "answer gives you cause for concern."
    ]
    assert "investigating" in [c for c in wrong if "who the man is" in c["text"]][0]["feedback"]
    assert "Note the car's number plate" not in learner_text()
    assert "noting a number plate you saw safely is fine" in flat(q.explanation)


def test_a_self_report_goes_to_the_person_the_policy_names_not_a_line_manager():
    """Correction 13."""
    q = question("self-report")
    assert choice_texts(q, correct=True) == [
        "The person your policy names for low-level concerns, usually the DSL or the head."
    ]
    assert [t for t in choice_texts(q, correct=False) if "line manager" in t] != []
    assert "not simply your line manager" in flat(q.explanation)
    assert "That is usually the DSL or the headteacher, not only your line manager." in flat(
        lesson("15-concerns-about-an-adult.md").body
    )
    assert "not simply your line manager" in flat(
        lesson("12-code-of-conduct-and-safer-working.md").body
    )
    assert "tell your line manager or the DSL yourself" not in learner_text()
    assert "Tell the DSL or your line manager" not in learner_text()


def test_urgency_is_straight_away_and_a_disclosure_reaches_the_dsl_before_the_child_leaves():
    """Correction 3, as it applies to the induction."""
    text = flat(learner_text())
    assert "same day" not in text
    assert "as soon as you can, and always on the same day" not in text
    concern = flat(lesson("08-what-to-do-with-a-concern.md").body)
    assert "Tell the DSL or a deputy straight away." in concern
    assert "as soon as possible, and always before the child leaves school that day" in concern
    told = flat(lesson("09-when-a-child-tells-you.md").body)
    assert "as soon as possible, and always before the child leaves school that day" in told
    assert "straight away" in flat(question("lunch-concern-timing").choices[0]["text"])


# ------------------------------------------------------------------------- missing topics


def lesson_questions(module):
    return [q.key for q in spec().questions if q.module == module]


def test_induction_teaches_the_four_kinds_of_abuse_with_questions():
    item = lesson("03-categories-of-abuse.md")
    headings = re.findall(r"^## (.+)$", item.body, re.MULTILINE)
    assert headings[:4] == ["Physical abuse", "Emotional abuse", "Sexual abuse", "Neglect"]
    assert item.sources[0]["title"].startswith("Keeping children safe in education 2025")
    keys = {
        "witnessing-domestic-abuse",
        "explanation-does-not-fit",
        "neglect-pattern",
        "sexual-language-role-play",
        "name-the-category",
        "abuse-by-children-counts",
    }
    assert keys <= set(lesson_questions("recognising-harm"))


def test_induction_teaches_child_on_child_abuse_with_a_scenario_and_questions():
    item = lesson("04-child-on-child-abuse.md")
    assert "**child-on-child abuse**" in item.body
    assert '"banter"' in item.body
    scenario = lesson("05-scenario-a-game-at-lunchtime.md")
    assert scenario.kind == "scenario"
    assert "primary school" in scenario.body and "Year 5" in scenario.body
    keys = {"group-chat-ratings", "child-on-child-forms", "nude-image-on-phone"}
    assert keys <= set(lesson_questions("recognising-harm"))


def test_induction_teaches_online_safety_and_the_staff_part_in_filtering_and_monitoring():
    item = lesson("06-online-safety-filtering-and-monitoring.md")
    assert "## Filtering and monitoring" in item.body
    for area in ("**Content**", "**Contact**", "**Conduct**", "**Commerce**"):
        assert area in item.body
    assert [s["title"] for s in item.sources][1] == (
        "Filtering and monitoring standards for schools and colleges (Department for Education)"
    )
    scenario = lesson("07-scenario-a-site-that-should-be-blocked.md")
    assert "You are a supply teacher" in scenario.body
    keys = {
        "filter-what-to-report",
        "online-risk-commerce",
        "game-asks-address",
        "filtering-does-the-job",
        "image-found-on-device",
    }
    assert keys <= set(lesson_questions("recognising-harm"))


def test_code_of_conduct_part_covers_contact_intimate_care_and_reasonable_force():
    item = lesson("13-physical-contact-intimate-care-and-reasonable-force.md")
    headings = re.findall(r"^## (.+)$", item.body, re.MULTILINE)
    assert headings == ["Physical contact", "Intimate care", "Reasonable force"]
    assert "Never use force as a punishment." in item.body
    assert "https://www.gov.uk/government/publications/use-of-reasonable-force-in-schools" in [
        s["url"] for s in item.sources
    ]
    assert lesson("14-scenario-a-child-who-wants-a-cuddle.md").kind == "scenario"
    keys = {
        "reasonable-force-when",
        "force-as-punishment",
        "comforting-contact",
        "intimate-care-practice",
    }
    assert keys <= set(lesson_questions("safer-working"))


def test_induction_says_when_to_call_999_and_when_101():
    body = flat(lesson("08-what-to-do-with-a-concern.md").body)
    assert "## The police: 999 or 101" in lesson("08-what-to-do-with-a-concern.md").body
    assert "**999** is for an emergency" in body
    assert "**101** is the police number for things that are not an emergency" in body
    q = question("police-101-or-999")
    assert choice_texts(q, correct=True) == [
        "999 is for an emergency or immediate danger; 101 is for matters that are not an emergency."
    ]
    assert choice_texts(question("immediate-danger-call"), correct=True) == [
        "Call 999 straight away, stay with the child if it is safe to, then tell the DSL."
    ]


def test_learner_support_note_comes_first_and_names_where_to_get_help():
    item = lesson("01-everyones-responsibility.md")
    headings = re.findall(r"^## (.+)$", item.body, re.MULTILINE)
    assert headings[0] == "If this course is hard for you"
    support = item.body.split("## If this course is hard for you")[1].split("\n## ")[0]
    for name in ("NSPCC", "NAPAC", "employee assistance programme"):
        assert name in support
    # No helpline numbers the facts file does not support.
    assert re.search(r"\d{4} ?\d{3} ?\d{3,4}", support) is None


def test_look_after_yourself_after_a_disclosure():
    body = lesson("09-when-a-child-tells-you.md").body
    assert "## Look after yourself afterwards" in body
    assert "Part of their job is to support staff after a disclosure." in flat(body)
    assert choice_texts(question("after-a-disclosure"), correct=True) == [
        "Tell the DSL how you are feeling, and use the employee assistance programme or other "
        "confidential support if you need it."
    ]


def test_every_new_lesson_is_cited_and_has_three_questions_in_its_module():
    for module in spec().modules:
        assert len(lesson_questions(module.slug)) >= 3, module.slug
        for item in module.lessons:
            assert item.sources and all(s["url"].startswith("https://") for s in item.sources)


# --------------------------------------------------------------------------- placeholders


def test_dsl_and_deputies_are_placeholders_in_the_lesson_body():
    body = lesson("02-your-dsl-and-school-policies.md").body
    assert "- Designated safeguarding lead: {{ school.dsl }}" in body
    assert "- Deputies: {{ school.deputies }}" in body
    assert "Find out the names of your DSL and deputies today." not in body


def test_placeholders_are_known_names_and_only_in_lesson_bodies():
    used = set()
    for item in lessons().values():
        used |= set(PLACEHOLDER.findall(item.body))
        for part in [item.prompt, *(c["text"] + c.get("feedback", "") for c in item.choices)]:
            assert PLACEHOLDER.search(part) is None, item.file
    assert used == {"school.dsl", "school.deputies", "school.recording_system"}
    assert used <= PLACEHOLDERS
    for q in spec().questions:
        texts = [
            q.prompt,
            q.explanation,
            *(c["text"] + (c.get("feedback") or "") for c in q.choices),
        ]
        assert all(PLACEHOLDER.search(t) is None for t in texts), q.key


# ------------------------------------------------------------------------------ scenarios


def scenarios():
    return [item for item in lessons().values() if item.kind == "scenario"]


def test_scenario_text_shows_only_what_the_learner_sees_and_hears():
    for item in scenarios():
        assert "!!!" not in item.body, item.file
        assert "Key point" not in item.body, item.file
        assert [c["best"] for c in item.choices].count(True) == 1, item.file


def test_three_grey_scenarios_say_why_the_best_beats_the_other_defensible_choice():
    grey = {
        "05-scenario-a-game-at-lunchtime.md": "reasonable response",
        "07-scenario-a-site-that-should-be-blocked.md": "A sensible response",
        "11-scenario-marks-you-notice.md": "Recording it is right",
        "14-scenario-a-child-who-wants-a-cuddle.md": "Many kind adults would do this",
    }
    for file, concession in grey.items():
        item = lesson(file)
        conceded = [c for c in item.choices if not c["best"] and concession in c["feedback"]]
        assert len(conceded) == 1, file
        assert " But " in flat(conceded[0]["feedback"]) or " but " in flat(conceded[0]["feedback"])


def test_scenarios_cover_a_primary_class_send_supply_staff_governors_and_children():
    bodies = {item.file: flat(item.body) for item in scenarios()}
    assert "Reception class" in bodies["14-scenario-a-child-who-wants-a-cuddle.md"]
    assert "Leo is autistic" in bodies["11-scenario-marks-you-notice.md"]
    assert "You are a supply teacher" in bodies["07-scenario-a-site-that-should-be-blocked.md"]
    assert "Year 5 boys" in bodies["05-scenario-a-game-at-lunchtime.md"]
    assert "You are a new governor" in question("governor-visit").prompt


def test_no_question_copies_a_scenario_lesson():
    def shingles(text, n=7):
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}

    scenario_text = set().union(*(shingles(item.body) for item in scenarios()))
    copied = {
        q.key: sorted(shingles(q.prompt) & scenario_text)
        for q in spec().questions
        if shingles(q.prompt) & scenario_text
    }
    assert copied == {}


# ------------------------------------------------------------------------------------ bank


def test_bank_draw_is_large_and_no_surface_cue_passes():
    s = spec()
    assert s.questions_per_attempt == 12
    assert s.pass_mark >= 80
    assert len(s.questions) >= 3 * s.questions_per_attempt
    report = bank_report(spec=s)
    assert [f.guesser for f in report.figures] == ["random", "longest", "keyword", "pattern"]
    assert report.guessable == ()
    assert all(f.pass_probability < 0.05 for f in report.figures)


def test_true_false_answers_are_balanced():
    answers = [choice_texts(q, correct=True)[0] for q in spec().questions if q.kind == "true_false"]
    assert answers.count("True") == answers.count("False") == 5


def test_select_all_questions_have_more_than_one_wrong_choice():
    for q in spec().questions:
        if q.kind == "multiple":
            assert len(choice_texts(q, correct=False)) >= 2, q.key

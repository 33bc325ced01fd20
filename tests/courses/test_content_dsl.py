"""The DSL refresher's wording: the corrections a safeguarding trainer asked for (issue 20),
the topics it must cover, scenarios that let the learner decide, and a bank that surface
cues do not pass. Everything is read through the loader, as the site would read it."""

import re
from functools import cache

from courses.content import course_spec_read, shipped_course_folders
from courses.loading import bank_report
from courses.loading.item_quality import GUESS_PASS_LIMIT

FOLDER = next(f for f in shipped_course_folders() if f.name == "dsl-refresher")
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
YEAR_GROUP = re.compile(r"\bYear (\d{1,2})\b")


@cache
def spec():
    return course_spec_read(FOLDER)


def lessons():
    return [lesson for module in spec().modules for lesson in module.lessons]


def lesson(file: str):
    return next(item for item in lessons() if item.file == file)


def question(key: str):
    return next(item for item in spec().questions if item.key == key)


def plain(text: str) -> str:
    """Markdown emphasis dropped and whitespace (line wrapping) collapsed to single spaces."""
    return " ".join(text.replace("**", "").replace("*", "").split())


def section(body: str, heading: str) -> str:
    start = body.index(heading)
    following = body.find("\n## ", start + len(heading))
    return body[start : following if following != -1 else len(body)]


def question_texts(item) -> str:
    parts = [item.prompt, item.explanation]
    parts += [c["text"] for c in item.choices] + [c.get("feedback") or "" for c in item.choices]
    return plain(" ".join(parts))


def all_question_text() -> str:
    return " ".join(question_texts(item) for item in spec().questions)


def all_lesson_text() -> str:
    return plain(" ".join(item.body for item in lessons()))


# ------------------------------------------ correction 6: seven rules


def test_information_sharing_lesson_lists_the_seven_golden_rules_of_the_2024_advice():
    body = lesson("05-consent-sharing-and-recording.md").body
    rules = section(body, "## The seven golden rules (2024 advice)")
    numbered = re.findall(r"^(\d+)\. \*\*", rules, re.MULTILINE)

    assert numbered == ["1", "2", "3", "4", "5", "6", "7"]
    assert "Protect the identity of anyone who might be harmed" in plain(rules)
    assert "the person who made the referral" in plain(rules)
    assert "updated in 2024" in plain(rules)


def test_information_sharing_lesson_no_longer_gives_six_rules_in_the_2018_wording():
    body = plain(lesson("05-consent-sharing-and-recording.md").body)

    assert "sets out seven golden rules. In summary: - A child's safety" not in body
    assert "relevant, adequate, accurate, timely and secure" not in body
    assert "Information sharing advice for safeguarding practitioners (2024)" in [
        source["title"] for source in lesson("05-consent-sharing-and-recording.md").sources
    ]


def test_golden_rules_question_asks_about_protecting_the_referrers_identity():
    rules = question("seven-golden-rules")
    right = [plain(c["text"]) for c in rules.choices if c["correct"]]

    assert (
        "Protect the identity of anyone who might be harmed if their details became known, "
        "such as the person who made the referral." in right
    )
    assert "seven golden rules" in plain(rules.explanation)
    assert question("protect-referrer-identity").scenario is True


# ------------------------------------------ correction 7: the LADO route


def test_allegations_lesson_sends_staff_straight_to_the_lado_only_on_the_two_conditions():
    body = plain(lesson("13-allegations-against-staff.md").body)

    assert (
        "Staff go straight to the LADO only where there is a conflict of interest in reporting "
        "the matter within the school, or where the headteacher is also the sole proprietor of "
        "an independent school." in body
    )
    assert "Staff can also go straight to the LADO" not in all_lesson_text()


def test_headteacher_allegation_question_names_the_chair_and_the_lado_conditions():
    about_head = question("allegation-about-headteacher")
    right = [plain(c["text"]) for c in about_head.choices if c["correct"]]

    assert right == [
        "The chair of governors, or the trust's equivalent, who consults the LADO promptly."
    ]
    assert "sole proprietor of an independent school or there is a conflict of interest" in plain(
        about_head.explanation
    )
    texts = all_question_text()
    assert "Staff can also go directly to the LADO" not in texts
    assert "Staff may also refer directly to the LADO" not in texts


def test_lado_conditions_question_marks_exactly_the_two_conditions_right():
    conditions = question("lado-direct-conditions")

    assert sorted(plain(c["text"]) for c in conditions.choices if c["correct"]) == [
        "The headteacher is also the sole proprietor of the independent school.",
        "There is a conflict of interest in reporting the matter within the school.",
    ]


# ------------------------------------------ correction 8: the DBS duty


def test_dbs_referral_duty_falls_on_the_employer_on_removal_from_regulated_activity():
    role = plain(lesson("01-the-dsl-role.md").body)
    allegations = plain(lesson("13-allegations-against-staff.md").body)

    assert (
        "the duty falls on the employer when it removes someone from regulated activity, or "
        "would have removed them had they not left, because they harmed a child or pose a risk "
        "of harm to a child." in role
    )
    assert (
        "The employer has a legal duty to refer to the DBS when it removes someone from "
        "regulated activity, or would have removed them had they not left, because they harmed "
        "a child or pose a risk of harm to a child." in allegations
    )
    assert "where someone leaves or is dismissed because they harmed" not in role
    assert "Where someone is dismissed, or would have been had they not resigned" not in (
        allegations
    )


def test_dbs_question_puts_the_duty_on_the_employer():
    duty = question("dbs-referral-duty")

    assert [plain(c["text"]) for c in duty.choices if c["correct"]] == [
        "The employer, when it removes someone from regulated activity, or would have had they "
        "not left, because they harmed or pose a risk of harm to a child."
    ]


# ------------------------------------------ correction 9: low-level concerns


def test_low_level_concern_is_any_conduct_inconsistent_with_the_code_including_outside_work():
    body = plain(lesson("12-low-level-concerns.md").body)

    assert (
        "may have acted in a way that is inconsistent with the staff code of conduct, including "
        "inappropriate conduct outside work" in body
    )
    assert "It is not only about behaviour towards children." in body
    assert "any concern about an adult's behaviour towards children" not in body


def test_low_level_concern_questions_cover_conduct_with_no_child_involved():
    outside = question("llc-conduct-outside-work")

    assert "No pupil is mentioned and none is involved." in plain(outside.prompt)
    assert [plain(c["text"]) for c in outside.choices if c["correct"]] == [
        "As a low-level concern, handled under the code of conduct and kept on the log."
    ]
    narrow = next(c for c in question("llc-definition").choices if "towards a child" in c["text"])
    assert narrow["correct"] is False


# ------------------------------------------ scenarios that let the learner decide


def scenario_lessons():
    return [item for item in lessons() if item.kind == "scenario"]


def test_no_scenario_shows_callouts_or_things_to_weigh_up_above_its_choices():
    assert len(scenario_lessons()) == 7
    assert [
        item.file
        for item in scenario_lessons()
        if "!!!" in item.body or "Things to weigh up" in item.body or "What to do" in item.body
    ] == []


def test_moved_steps_now_sit_in_the_best_choices_feedback():
    def best(file):
        return plain(next(c["feedback"] for c in lesson(file).choices if c["best"]))

    assert "set a review date a few weeks away" in best(
        "06-scenario-a-parent-declines-early-help.md"
    )
    assert "follow your local escalation procedure, starting with the team manager" in best(
        "07-scenario-no-further-action.md"
    )
    assert "consults the LADO before anyone speaks to Mr Hughes" in best(
        "14-scenario-a-third-low-level-concern.md"
    )
    assert "within 5 days of an in-year transfer" in best(
        "19-scenario-a-file-that-has-not-arrived.md"
    )


def test_at_least_three_scenarios_are_grey_with_a_defensible_second_choice():
    grey = [
        item.file
        for item in scenario_lessons()
        if any(
            not c["best"] and c["feedback"].lstrip().startswith("Defensible") for c in item.choices
        )
    ]

    assert len(grey) >= 3


def test_scenarios_cover_a_primary_class_send_supply_staff_and_something_between_children():
    bodies = {item.file: plain(item.body) for item in scenario_lessons()}
    primary = [
        f for f, body in bodies.items() if any(1 <= int(y) <= 6 for y in YEAR_GROUP.findall(body))
    ]

    assert primary != []
    assert "education, health and care plan" in bodies["10-scenario-what-a-supply-teacher-saw.md"]
    assert "a supply teacher" in bodies["10-scenario-what-a-supply-teacher-saw.md"]
    assert (
        "sent each other nude pictures"
        in bodies["11-scenario-an-image-shared-between-two-pupils.md"]
    )


def test_the_best_scenario_choice_is_the_longest_in_at_most_a_third_of_the_scenarios():
    def best_is_longest(item):
        lengths = [len(c["text"]) for c in item.choices]
        longest = [c for c in item.choices if len(c["text"]) == max(lengths)]
        return len(longest) == 1 and longest[0]["best"]

    assert 3 * sum(1 for item in scenario_lessons() if best_is_longest(item)) <= len(
        scenario_lessons()
    )


def test_questions_that_copied_their_scenario_lessons_are_gone_and_none_copy_eight_words():
    keys = {item.key for item in spec().questions}
    assert keys.isdisjoint({"nfa-still-worried", "llc-pattern", "file-not-arrived"})

    def runs(text, n=8):
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}

    scenario_runs = set().union(*(runs(item.body) for item in scenario_lessons()))
    copied = [item.key for item in spec().questions if runs(item.prompt) & scenario_runs]
    assert copied == []


# ------------------------------------------ new topics


def module(slug: str):
    return next(item for item in spec().modules if item.slug == slug)


def questions_in(slug: str):
    return [item for item in spec().questions if item.module == slug]


def test_child_on_child_module_teaches_part_five_and_the_ukcis_process():
    child_on_child = module("child-on-child-abuse")
    files = [item.file for item in child_on_child.lessons]
    part_five = plain(lesson("08-child-on-child-sexual-violence-and-harassment.md").body)
    ukcis = plain(lesson("09-sharing-nudes-and-semi-nudes.md").body)

    assert [item.kind for item in child_on_child.lessons] == [
        "content",
        "content",
        "scenario",
        "scenario",
    ]
    assert files[0] == "08-child-on-child-sexual-violence-and-harassment.md"
    for phrase in (
        "Immediate safety.",
        "Police for sexual violence.",
        "the starting point is that it is passed to the police",
        "from developmentally expected, through inappropriate and problematic, to abusive "
        "and violent",
        "immediate risk and needs assessment",
        "Support both children.",
    ):
        assert phrase in part_five
    assert "You hold an initial review meeting" in ukcis
    assert "the image shows sexual acts and any child in it is under 13" in ukcis
    assert len(questions_in("child-on-child-abuse")) >= 3


def test_children_missing_education_module_tells_the_local_authority_before_removal():
    body = plain(lesson("20-children-missing-education.md").body)

    assert (
        "as soon as the grounds for removing the pupil are met, and no later than the time "
        "the name is removed" in body
    )
    assert [item.kind for item in module("children-missing-education").lessons] == [
        "content",
        "scenario",
    ]
    assert len(questions_in("children-missing-education")) >= 3


def test_operation_encompass_has_a_lesson_a_scenario_question_and_three_questions():
    encompass = [item for item in spec().questions if item.key.startswith("oe-")]
    body = plain(lesson("16-operation-encompass.md").body)

    assert "before the start of the next school day" in body
    assert len(encompass) >= 3
    assert any(item.scenario for item in encompass)


def test_sharing_before_the_file_moves_is_marked_as_a_2026_consultation_topic():
    handover = lesson("18-sharing-information-before-the-file-moves.md")
    before = [item for item in spec().questions if item.key.startswith("pre-transfer-")]

    assert handover.sources[0]["title"].endswith("(2026 consultation draft)")
    assert (
        lesson("16-operation-encompass.md")
        .sources[-1]["title"]
        .endswith("(2026 consultation draft)")
    )
    assert len(before) >= 3
    assert any(item.scenario for item in before)


def test_every_new_lesson_is_cited_with_https_sources():
    new = [
        "08-child-on-child-sexual-violence-and-harassment.md",
        "09-sharing-nudes-and-semi-nudes.md",
        "10-scenario-what-a-supply-teacher-saw.md",
        "11-scenario-an-image-shared-between-two-pupils.md",
        "16-operation-encompass.md",
        "18-sharing-information-before-the-file-moves.md",
        "20-children-missing-education.md",
        "21-scenario-a-pupil-who-has-not-come-back.md",
    ]

    assert [
        file
        for file in new
        if not lesson(file).sources
        or not all(s["url"].startswith("https://") for s in lesson(file).sources)
    ] == []


# ------------------------------------------ placeholders


def test_placeholders_are_the_agreed_names_and_appear_only_in_lesson_bodies():
    in_bodies = {name for item in lessons() for name in PLACEHOLDER.findall(item.body)}
    elsewhere = [
        item.file
        for item in lessons()
        if PLACEHOLDER.search(
            " ".join([item.prompt or ""] + [c["text"] + c["feedback"] for c in item.choices])
        )
    ]

    assert in_bodies <= ALLOWED_PLACEHOLDERS
    assert len(in_bodies) >= 3
    assert elsewhere == []
    assert PLACEHOLDER.search(all_question_text()) is None


# ------------------------------------------ the bank


def test_every_surface_guesser_passes_the_dsl_bank_under_five_percent():
    report = bank_report(spec=spec())

    assert report.drawn == 10
    assert report.pass_mark >= 80
    assert [(f.guesser, f.pass_probability < GUESS_PASS_LIMIT) for f in report.figures] == [
        ("random", True),
        ("longest", True),
        ("keyword", True),
        ("pattern", True),
    ]


def test_true_false_answers_are_balanced_and_the_longest_choice_is_right_at_most_a_third():
    true_false = [item for item in spec().questions if item.kind == "true_false"]
    answers = [next(c["text"] for c in item.choices if c["correct"]) for item in true_false]
    single = [item for item in spec().questions if item.kind == "single"]

    def longest_is_right(item):
        lengths = [len(c["text"]) for c in item.choices]
        return (
            lengths.count(max(lengths)) == 1
            and item.choices[lengths.index(max(lengths))]["correct"]
        )

    assert answers.count("True") == answers.count("False")
    assert 3 * sum(1 for item in single if longest_is_right(item)) <= len(single)


def test_every_select_all_question_has_at_least_two_wrong_choices():
    multiple = [item for item in spec().questions if item.kind == "multiple"]

    assert [
        item.key for item in multiple if sum(1 for c in item.choices if not c["correct"]) < 2
    ] == []

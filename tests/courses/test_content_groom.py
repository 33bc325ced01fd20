"""The grooming course as a safeguarding trainer reviewed it (issue 20).

Each test reads the shipped course through the loader, as the site does, and pins a
correction, a new topic, or a rule for scenarios and the question bank."""

import re
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from courses.content import course_spec_read
from courses.loading import bank_report

FOLDER = Path(__file__).resolve().parents[2] / "courses" / "content" / "recognising-grooming"
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


@cache
def spec():
    return course_spec_read(FOLDER)


def lessons():
    return [lesson for module in spec().modules for lesson in module.lessons]


def lesson(slug):
    (found,) = [lesson for lesson in lessons() if lesson.slug == slug]
    return found


def module_of(slug):
    (found,) = [m.slug for m in spec().modules if slug in [lesson.slug for lesson in m.lessons]]
    return found


def question(key):
    (found,) = [q for q in spec().questions if q.key == key]
    return found


def right_choice(q):
    (found,) = [c["text"] for c in q.choices if c["correct"]]
    return found


def flat(text):
    """Text with Markdown emphasis gone and runs of whitespace made single spaces."""
    return " ".join(text.replace("**", "").split())


def all_course_text():
    parts = []
    for each in lessons():
        parts.append(each.body)
        parts += [each.prompt] + [c["text"] + " " + c.get("feedback", "") for c in each.choices]
    for q in spec().questions:
        parts += [q.prompt, q.explanation]
        parts += [c["text"] + " " + c.get("feedback", "") for c in q.choices]
    return flat(" ".join(parts))


# ------------------------------------------------------------------ correction 3: urgency


def test_what_to_do_says_immediately_and_before_the_child_leaves():
    body = flat(lesson("what-to-do-step-by-step").body)
    assert "Tell the DSL or a deputy immediately." in body
    assert "tell the DSL as soon as possible, and always before the child leaves school" in body
    assert "the same day" not in body


def test_no_same_day_wording_anywhere_in_the_course():
    text = all_course_text().lower()
    assert "same day" not in text
    assert "tell the dsl today" not in text


def test_disclosure_question_rewards_telling_the_dsl_before_the_child_leaves():
    q = question("disclosure-before-leaving")
    assert right_choice(q) == "As soon as possible, and before she leaves school today."
    assert "always before the child leaves school" in flat(q.explanation)


# ------------------------------------------------------------------ correction 10: Prevent


PREVENT_DUTY = "due regard to the need to prevent people from being drawn into terrorism"


def test_prevent_duty_is_in_the_statutory_words():
    body = flat(lesson("radicalisation").body)
    assert f'"{PREVENT_DUTY}"' in body
    assert "take account of the need to stop people" not in body


def test_prevent_question_rewards_the_statutory_words():
    q = question("prevent-duty-wording")
    assert right_choice(q) == f"To have {PREVENT_DUTY}."


# ------------------------------------------------------------------ correction 11: images


def test_an_image_seen_by_accident_goes_to_the_dsl_and_no_further():
    body = flat(lesson("sextortion").body)
    assert "If you saw an image by accident, tell the DSL what happened straight away." in body
    assert "You will be supported" in body
    assert "Do not show it, send it or describe it to other staff or to parents." in body
    assert "If an adult is involved in any way" in body
    assert "the DSL reports it to the police urgently." in body


def test_image_seen_by_accident_questions():
    assert right_choice(question("image-seen-by-accident")) == "True"
    assert right_choice(question("after-seeing-an-image")) == (
        "Do not show, send or describe the picture to other staff or to parents."
    )


# ------------------------------------------------------------------ grooming 13:27-28


def test_asking_the_child_who_the_man_is_is_wrong_and_noting_a_plate_is_fine():
    scenario = lesson("scenario-a-new-phone-and-an-older-friend")
    by_text = {c["text"].split(",")[0]: c for c in scenario.choices}
    ask_child = by_text["Ask Amira"]
    assert ask_child["best"] is False
    assert "asking the child who the man is is investigating" in flat(ask_child["feedback"])
    confront = by_text["Go out to the car after school and ask the driver"]
    assert confront["best"] is False
    assert (
        "Noting the car's number plate, if you can do it safely from where you are, is fine "
        "and is not investigating" in flat(confront["feedback"])
    )


# ------------------------------------------------------------------ scenarios


def scenarios():
    return [each for each in lessons() if each.kind == "scenario"]


def test_course_has_the_ten_scenarios():
    assert [each.slug for each in scenarios()] == [
        "scenario-a-threat-to-share-an-image",
        "scenario-a-fake-image-in-the-group-chat",
        "scenario-the-well-liked-coach",
        "scenario-the-only-one-who-understands-him",
        "scenario-overheard-at-prize-evening",
        "scenario-a-new-phone-and-an-older-friend",
        "scenario-missing-afternoons",
        "scenario-the-park-by-the-chip-shop",
        "scenario-the-supply-teacher",
        "scenario-friday-afternoon",
    ]


@pytest.mark.parametrize("slug", [each.slug for each in scenarios()])
def test_scenario_text_before_the_choices_has_no_callouts_or_answers(slug):
    body = lesson(slug).body
    assert "!!!" not in body
    for giveaway in ("Key point", "What to do", "This is a risk", "is not enough", "pattern"):
        assert giveaway not in body


def test_friday_afternoon_urgency_lives_in_the_feedback():
    scenario = lesson("scenario-friday-afternoon")
    assert "This is a risk of immediate harm" not in scenario.body
    (best,) = [c for c in scenario.choices if c["best"]]
    assert "is a risk of immediate harm" in flat(best["feedback"])
    assert "An email is not enough." in flat(best["feedback"])


def test_scenarios_cover_primary_send_supply_governor_and_children():
    bodies = {each.slug: flat(each.body) for each in scenarios()}
    assert "You teach a Year 5 class." in bodies["scenario-the-park-by-the-chip-shop"]
    assert "special educational needs" in bodies["scenario-the-only-one-who-understands-him"]
    assert "You are a supply teacher" in bodies["scenario-the-supply-teacher"]
    assert "You are a governor" in bodies["scenario-overheard-at-prize-evening"]
    assert "Two boys in 8C put Lily's photo" in bodies["scenario-a-fake-image-in-the-group-chat"]


GREY = {
    # scenario: the defensible choice that is not the best, by how it starts
    "scenario-a-fake-image-in-the-group-chat": "Take the two boys' phones now",
    "scenario-overheard-at-prize-evening": "Write down exactly what you heard",
    "scenario-the-park-by-the-chip-shop": "Have a quiet word with Mason's mum",
    "scenario-the-supply-teacher": "Ring 999 from the classroom now",
}


@pytest.mark.parametrize("slug", sorted(GREY))
def test_grey_scenario_feedback_says_why_the_other_defensible_choice_is_second_best(slug):
    (second,) = [c for c in lesson(slug).choices if c["text"].startswith(GREY[slug])]
    assert second["best"] is False
    feedback = flat(second["feedback"])
    # The feedback grants what is right about it, then says why the best choice is better.
    assert re.search(r"\b(right|matters|may well need|understandable|good place)\b", feedback)
    assert re.search(r"\bBut\b", feedback)


def words(text):
    return re.findall(r"[a-z0-9']+", text.lower())


def runs(text, n=8):
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def test_no_question_copies_a_scenario_lesson():
    scenario_runs = set()
    for each in scenarios():
        scenario_runs |= runs(each.body + " " + " ".join(c["text"] for c in each.choices))
        scenario_runs |= runs(" ".join(c["feedback"] for c in each.choices))
    copied = {
        q.key: [
            " ".join(r)
            for r in runs(q.prompt + " " + " ".join(c["text"] for c in q.choices)) & scenario_runs
        ]
        for q in spec().questions
    }
    assert {key: found for key, found in copied.items() if found} == {}


def test_dsl_away_is_its_own_situation():
    q = question("dsl-away")
    assert "Sophie" not in q.prompt and "Friday" not in q.prompt
    assert right_choice(q) == (
        "Speak in person to a deputy DSL straight away, or to a senior leader if none can be found."
    )


# ------------------------------------------------------------------ new topics


TOPICS = {
    "ai-generated-and-nudified-images": (
        "grooming-online",
        "scenario-a-fake-image-in-the-group-chat",
        ["ai-image-law", "ai-nudify-classmate", "ai-school-website-photo", "take-it-down"],
    ),
    "abuse-of-position-of-trust": (
        "trust-and-organisations",
        "scenario-overheard-at-prize-evening",
        ["position-of-trust-who", "position-of-trust-2022", "position-of-trust-youth-leader"],
    ),
    "harm-outside-the-home": (
        "outside-the-home",
        "scenario-the-park-by-the-chip-shop",
        [
            "place-several-pupils-mention",
            "contextual-safeguarding-meaning",
            "primary-harm-outside-home",
            "parent-cannot-stop-it",
        ],
    ),
    "grooming-gangs": (
        "outside-the-home",
        "scenario-the-supply-teacher",
        ["grooming-gangs-signs", "grooming-gangs-assumptions", "grooming-gangs-going-back"],
    ),
}


@pytest.mark.parametrize("slug", sorted(TOPICS))
def test_new_topic_has_a_cited_lesson_a_scenario_and_three_questions(slug):
    module, scenario, keys = TOPICS[slug]
    topic = lesson(slug)
    assert topic.kind == "content"
    assert module_of(slug) == module
    assert topic.sources and all(s["url"].startswith("https://") for s in topic.sources)
    assert lesson(scenario).kind == "scenario"
    assert module_of(scenario) == module
    assert [question(key).module for key in keys] == [module] * len(keys)
    assert len(keys) >= 3


def test_ai_images_lesson_covers_the_law_pupils_takedown_and_school_photos():
    body = flat(lesson("ai-generated-and-nudified-images").body)
    assert (
        "The law treats a pseudo-photograph of a child in the same way as a real photograph."
        in body
    )
    assert "that is child-on-child abuse" in body
    assert "Report Remove" in body and "Take It Down" in body
    assert "Photos of pupils on school websites" in body
    assert "Never view, copy, forward, save or print the image" in body


def test_position_of_trust_lesson_names_the_sections_and_the_2022_extension():
    body = flat(lesson("abuse-of-position-of-trust").body)
    assert "The Sexual Offences Act 2003 (sections 16 to 24)" in body
    assert "In 2022 the law was extended" in body
    assert "in a sport or a religion" in body
    assert "sports coaches and faith leaders" in body


def test_harm_outside_the_home_lesson_explains_contextual_safeguarding():
    body = flat(lesson("harm-outside-the-home").body)
    assert "harm outside the home" in body
    assert "Contextual safeguarding is an approach that looks at the places and groups" in body
    assert "including children in primary school" in body


def test_grooming_gangs_is_marked_as_from_the_2026_consultation():
    titles = [s["title"] for s in lesson("grooming-gangs").sources]
    assert titles[0].endswith("(2026 consultation draft)")
    assert "consultation on Keeping Children Safe in Education 2026" in flat(
        lesson("grooming-gangs").body
    )
    supply = [s["title"] for s in lesson("scenario-the-supply-teacher").sources]
    assert any(title.endswith("(2026 consultation draft)") for title in supply)


# ------------------------------------------------------------------ placeholders


def test_placeholders_are_the_agreed_names_and_only_in_lesson_bodies():
    used = {}
    for each in lessons():
        for name in PLACEHOLDER.findall(each.body):
            used.setdefault(each.slug, set()).add(name)
        assert PLACEHOLDER.findall(each.prompt + " ".join(str(c) for c in each.choices)) == []
    for q in spec().questions:
        assert (
            PLACEHOLDER.findall(q.prompt + q.explanation + " ".join(str(c) for c in q.choices))
            == []
        )
    assert set().union(*used.values()) <= ALLOWED_PLACEHOLDERS
    assert used == {
        "what-grooming-is": {"school.dsl", "school.deputies"},
        "when-the-concern-is-about-an-adult": {"school.name", "school.lado_contact"},
        "radicalisation": {"school.name", "school.dsl", "school.prevent_contact"},
        "what-to-do-step-by-step": {
            "school.name",
            "school.dsl",
            "school.deputies",
            "school.recording_system",
            "school.childrens_social_care",
        },
    }


def test_lado_route_only_for_conflict_of_interest_or_sole_proprietor():
    body = flat(lesson("when-the-concern-is-about-an-adult").body)
    assert (
        "Go straight to the LADO yourself only where there is a conflict of interest, or where "
        "the headteacher is also the sole proprietor of the school." in body
    )


# ------------------------------------------------------------------ the bank


def test_no_surface_cue_passes_the_grooming_check():
    report = bank_report(spec=spec())
    assert (report.bank, report.drawn, report.pass_mark, report.max_attempts) == (56, 10, 80, 3)
    assert {f.guesser: f.pass_probability < Fraction(5, 100) for f in report.figures} == {
        "random": True,
        "longest": True,
        "keyword": True,
        "pattern": True,
    }


def test_true_false_answers_are_balanced():
    answers = [right_choice(q) for q in spec().questions if q.kind == "true_false"]
    assert (answers.count("True"), answers.count("False")) == (7, 7)


def test_right_answer_is_not_reliably_the_longest_or_the_shortest():
    ranks = []
    for q in spec().questions:
        if q.kind != "single":
            continue
        lengths = sorted({len(c["text"]) for c in q.choices}, reverse=True)
        ranks.append(lengths.index(len(right_choice(q))))
    longest = ranks.count(0)
    shortest = sum(
        1
        for q, rank in zip([q for q in spec().questions if q.kind == "single"], ranks, strict=True)
        if rank == len({len(c["text"]) for c in q.choices}) - 1
    )
    assert (len(ranks), longest, shortest) == (33, 9, 5)


def test_select_all_questions_have_at_least_two_wrong_choices():
    wrong = {
        q.key: sum(1 for c in q.choices if not c["correct"])
        for q in spec().questions
        if q.kind == "multiple"
    }
    assert {key: n for key, n in wrong.items() if n < 2} == {}

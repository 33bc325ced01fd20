"""How hard the shipped courses are to read.

    .venv/bin/python benchmarks/readability.py            # one line per course
    .venv/bin/python benchmarks/readability.py --lessons  # and one line per lesson

For each shipped course it prints the words of learner-facing prose, the estimated reading
time (words / ``READING_WORDS_PER_MINUTE``, the constant the loader uses for lesson minutes),
the Flesch reading ease (higher is easier; 60-70 is plain English) and the Flesch-Kincaid
grade (a US school grade; add 5 for a rough reading age).

What counts as learner-facing prose: every lesson's body, and for scenario lessons the prompt
and the text of each choice. Front matter, sources, image alt text, link targets and callout
titles ("Key point") are left out; so are the feedback on scenario choices (a learner reads
only the one they chose) and the knowledge-check bank.

Markdown is stripped to text: headings, list items, table cells and paragraphs are each their
own unit, and a unit counts as at least one sentence even without a full stop (a heading or a
list item is read as one); within a unit a sentence ends at ``.``, ``!`` or ``?`` followed by
a space. Links keep their text; images, autolinks, emphasis marks and code marks go.

The formulas are the standard ones, over the whole course::

    reading ease = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)
    grade        = 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59

Words are counted with the loader's own pattern (``courses.content.WORD``), so the word count
here is the one the reading time on the site is built from. Syllables come from
``syllable_count`` below, a vowel-group heuristic. On 117 words common in these courses it
agrees with a dictionary on 108; it misses by one on the rest, mostly by running two sounded
vowels together ("area", "being", "create", "guidance"), so if anything the reading ease
reads a point or two high and the grade a little low.

Why not textstat: its current release (0.7.x) looks syllables up in NLTK's CMU dictionary,
which it downloads from GitHub on first use, and it pulls in NLTK. That download cannot
happen offline or in CI without network, so this script carries the formulas itself.
"""

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpd.site.settings")

import django  # noqa: E402

django.setup()

from courses.content import WORD, course_spec_read, shipped_course_folders  # noqa: E402
from courses.services import READING_WORDS_PER_MINUTE  # noqa: E402

HEADING = re.compile(r"^#{1,6}\s+")
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
CALLOUT = re.compile(r"^!!!\s")
RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
TABLE_DIVIDER = re.compile(r"^\|?[\s:|-]+\|[\s:|-]*$")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<[a-z]+:[^>]*>|https?://\S+")
MARKS = re.compile(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)|`")
SILENT_E_BEFORE_SUFFIX = re.compile(
    r"(?:(?<=[aeiou][^aeiouy])|(?<=[aeiou][^aeiouy]{2}))"
    r"e(?=(?:ly|ty|ments?|ful|less|ness|guard\w*|thing|times?|where|work)$)"
)
SENTENCE_END = re.compile(r"[.!?]+[\"'’”)]*(?=\s)")


def syllable_count(word: str) -> int:
    """Syllables in one English word, by counting vowel groups.

    1. Keep letters only, lower-cased; a word of three letters or fewer has one syllable.
    2. Drop the silent "e" of a word inside a compound or before a suffix: "safeguarding",
       "something", "safety", "statement", "involvement", "likely".
    3. Drop a silent ending: final "e" ("make"), "es" ("makes") and "ed" ("shared"), but not
       "le"/"les" ("table"), "ted"/"ded" ("wanted", "recorded"), or "es" after s, x, z, c,
       g or h, where it is sounded ("buses", "boxes", "places", "changes", "wishes").
    4. Drop a leading "y", which is a consonant there ("young").
    5. Count runs of one or two vowels (a, e, i, o, u, y); at least one.
    """
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1
    word = SILENT_E_BEFORE_SUFFIX.sub("", word)
    word = re.sub(r"(?:[^laeiouysxzcgh]es|[^laeiouydt]ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", word)))


def _inline(text: str) -> str:
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub("", text)
    return MARKS.sub("", text).strip()


def markdown_units(body: str) -> list[str]:
    """The body's prose as units of text (paragraphs, headings, list items, table cells)."""
    units: list[str] = []
    current: list[str] = []
    in_code = False

    def flush():
        text = _inline(" ".join(current))
        if text:
            units.append(text)
        current.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        line = re.sub(r"^>\s?", "", line)
        if not line or CALLOUT.match(line) or RULE.match(line) or TABLE_DIVIDER.match(line):
            flush()
            continue
        if line.startswith("|"):
            flush()
            units.extend(filter(None, (_inline(cell) for cell in line.strip("|").split("|"))))
            continue
        if HEADING.match(line):
            flush()
            current.append(HEADING.sub("", line))
            flush()
            continue
        if LIST_ITEM.match(line):
            flush()
            line = LIST_ITEM.sub("", line)
        current.append(line)
    flush()
    return units


@dataclass
class Prose:
    name: str
    units: list[str]

    @property
    def words(self) -> list[str]:
        return [w for unit in self.units for w in WORD.findall(unit)]

    @property
    def sentences(self) -> int:
        return sum(max(1, len(SENTENCE_END.findall(unit + " "))) for unit in self.units)

    def figures(self) -> dict:
        words = self.words
        sentences = self.sentences
        syllables = sum(syllable_count(w) for w in words)
        per_sentence = len(words) / sentences
        per_word = syllables / len(words)
        return {
            "words": len(words),
            "sentences": sentences,
            "minutes": len(words) / READING_WORDS_PER_MINUTE,
            "ease": 206.835 - 1.015 * per_sentence - 84.6 * per_word,
            "grade": 0.39 * per_sentence + 11.8 * per_word - 15.59,
            "words_per_sentence": per_sentence,
            "syllables_per_word": per_word,
        }


def lesson_prose(lesson) -> Prose:
    units = markdown_units(lesson.body)
    if lesson.prompt:
        units.append(lesson.prompt)
    units.extend(choice["text"] for choice in lesson.choices)
    return Prose(lesson.file, units)


HEADER = (
    f"{'':<48} {'words':>6} {'minutes':>8} {'sentences':>9} {'words/s':>8} "
    f"{'syll/w':>7} {'ease':>6} {'grade':>6}"
)


def line(name: str, figures: dict) -> str:
    return (
        f"{name:<48} {figures['words']:>6} {figures['minutes']:>8.1f} {figures['sentences']:>9} "
        f"{figures['words_per_sentence']:>8.1f} {figures['syllables_per_word']:>7.2f} "
        f"{figures['ease']:>6.1f} {figures['grade']:>6.1f}"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", action="store_true", help="also show each lesson")
    args = parser.parse_args(argv)
    print(f"Reading speed {READING_WORDS_PER_MINUTE} words a minute; Flesch formulas, built in.")
    print(HEADER)
    for folder in shipped_course_folders():
        spec = course_spec_read(folder)
        lessons = [lesson_prose(lesson) for m in spec.modules for lesson in m.lessons]
        course = Prose(spec.slug, [unit for lesson in lessons for unit in lesson.units])
        print(line(spec.slug, course.figures()))
        if args.lessons:
            for lesson in lessons:
                print(line(f"  {lesson.name[:46]}", lesson.figures()))


if __name__ == "__main__":
    main()

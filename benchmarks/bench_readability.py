"""Plain English in the shipped courses: each course's Flesch reading ease, against the
plain-English band (60 or more). How the figures are made: ``readability.py`` beside this
file, which also prints them lesson by lesson (``--lessons``)."""

import importlib.util
from pathlib import Path

PLAIN_ENGLISH = 60
"""A Flesch reading ease of 60–70 is plain English; higher is easier."""


def _readability():
    path = Path(__file__).resolve().parent / "readability.py"
    spec = importlib.util.spec_from_file_location("benchmarks.readability", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(workdir=None) -> list[dict]:
    from courses.content import shipped_course_folders
    from courses.loading.course import course_spec_read

    readability = _readability()
    results = []
    for folder in shipped_course_folders():
        spec = course_spec_read(folder)
        units = [
            unit
            for module in spec.modules
            for lesson in module.lessons
            for unit in readability.lesson_prose(lesson).units
        ]
        ease = readability.Prose(spec.slug, units).figures()["ease"]
        results.append(
            {
                "name": f"reading ease: {spec.slug}",
                "value": ease,
                "unit": "Flesch",
                "target": f">= {PLAIN_ENGLISH}",
                "ok": ease >= PLAIN_ENGLISH,
            }
        )
    return results

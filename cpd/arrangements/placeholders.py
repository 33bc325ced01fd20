"""The small, safe set of placeholders a lesson may use to name its learner's school's
arrangements, such as ``{{ school.dsl }}``. The course loader refuses any other (and any
placeholder outside a lesson's body); the lesson player fills them in per learner's school
after the Markdown is rendered and sanitised, with each value escaped, so a school's
values can never add markup. Certificates and the question bank never use them."""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:  # no models here: the course loader reads this module without a database
    from cpd.arrangements.selectors import SchoolSheet

PLACEHOLDERS = (
    "school.name",
    "school.dsl",
    "school.deputies",
    "school.recording_system",
    "school.lado_contact",
    "school.childrens_social_care",
    "school.prevent_contact",
)

# Anything between double braces: the loader checks the name, the player fills it in.
PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[^{}]*?)\s*\}\}")


def unknown_placeholders(text: str) -> list[str]:
    """The placeholders in ``text`` that are not in the allowed set, as written."""
    return [m.group(0) for m in PLACEHOLDER.finditer(text) if m["name"] not in PLACEHOLDERS]


def has_placeholder(text: str) -> bool:
    return PLACEHOLDER.search(text) is not None


def _joined(parts: list[str]) -> str:
    return ", ".join(part for part in parts if part)


def placeholder_values(sheet: "SchoolSheet") -> dict[str, str]:
    """Each placeholder's text for one school; empty where the school has not said."""
    v = sheet.values
    dsl = "; ".join(_joined([lead.name, lead.phone, lead.where_to_find]) for lead in sheet.dsls)
    deputies = "; ".join(_joined([lead.name, lead.phone]) for lead in sheet.deputies)
    csc = _joined([v["childrens_social_care"], v["childrens_social_care_phone"]])
    if v["childrens_social_care_out_of_hours"]:
        csc = _joined(
            [csc, _("out of hours %(phone)s") % {"phone": v["childrens_social_care_out_of_hours"]}]
        )
    return {
        "school.name": sheet.school.name,
        "school.dsl": dsl,
        "school.deputies": deputies,
        "school.recording_system": v["recording_system"],
        "school.lado_contact": _joined([v["lado_contact"], v["lado_phone"], v["lado_email"]]),
        "school.childrens_social_care": csc,
        "school.prevent_contact": _joined([v["prevent_contact"], v["prevent_phone"]]),
    }


def fallback(school_name: str | None = None) -> str:
    if school_name:
        return _("%(school)s has not added this yet — ask the office") % {"school": school_name}
    return _("Your school has not added this yet — ask the office")


def fill(html: str, sheets: Sequence["SchoolSheet"]) -> SafeString:
    """Fill the placeholders of sanitised lesson HTML with the learner's schools' values.
    For one school, its value; for several, each school's, named. Values are escaped."""
    per_school = [(sheet.school.name, placeholder_values(sheet)) for sheet in sheets]

    def value(match: re.Match) -> str:
        name = match["name"]
        if name not in PLACEHOLDERS:
            return escape(match.group(0))
        if not per_school:
            return escape(fallback())
        if len(per_school) == 1:
            return escape(per_school[0][1][name] or fallback())
        if name == "school.name":
            return escape(_(" and ").join(school for school, _values in per_school))
        return escape(
            "; ".join(
                f"{values[name]} ({school})" if values[name] else fallback(school)
                for school, values in per_school
            )
        )

    return mark_safe(PLACEHOLDER.sub(value, html))  # noqa: S308 - values escaped above

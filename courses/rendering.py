"""Lesson Markdown to safe HTML.

Content files are reviewed, but a course can also be edited in the admin, so every render
goes through a fixed allow-list: no script, style, iframe, event handler or javascript: link
can reach the page, whatever the Markdown says.
"""

from functools import lru_cache

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "blockquote", "code", "pre",
    "img", "div", "br", "hr", "table", "thead", "tbody", "tr", "th", "td", "abbr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "th": {"scope"},
    "div": {"class"},
    "p": {"class"},
}
ALLOWED_CLASSES = {
    "div": {"admonition", "key-point", "what-to-do"},
    "p": {"admonition-title"},
}


def _keep_allowed_classes(tag: str, attribute: str, value: str) -> str | None:
    """Keep only the allowed classes, and drop the attribute when none is left. (nh3's own
    ``allowed_classes`` leaves an empty ``class=""`` behind.)"""
    if attribute != "class":
        return value
    kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
    return " ".join(kept) or None


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    html = markdown.markdown(
        text, extensions=["admonition", "sane_lists", "tables"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_allowed_classes,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    return mark_safe(_render(text))  # noqa: S308 - sanitised by nh3 above

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
}
ALLOWED_CLASSES = {
    "div": {"admonition", "key-point", "what-to-do"},
    "p": {"admonition-title"},
}


@lru_cache(maxsize=512)
def _render(text: str) -> str:
    html = markdown.markdown(
        text, extensions=["admonition", "sane_lists", "tables"], output_format="html"
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    return mark_safe(_render(text))  # noqa: S308 - sanitised by nh3 above

"""Lesson Markdown renders to exactly the HTML the allow-list permits, whatever the source."""

import pytest
from django.utils.safestring import SafeString

from courses.rendering import render_markdown

KCSIE_URL = "https://www.gov.uk/government/publications/keeping-children-safe-in-education--2"


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        pytest.param(
            "Tell the DSL.<script>alert('hi')</script> Today.",
            "<p>Tell the DSL. Today.</p>",
            id="script",
        ),
        pytest.param(
            "<style>p { display: none }</style>\n\nTell the DSL.",
            "\n\n<p>Tell the DSL.</p>",
            id="style",
        ),
        pytest.param(
            '<iframe src="https://example.com/"></iframe>\n\nTell the DSL.',
            "\n\n<p>Tell the DSL.</p>",
            id="iframe",
        ),
        pytest.param(
            '<svg onload="alert(1)"><circle r="1"/></svg>Tell the DSL.',
            "<p>Tell the DSL.</p>",
            id="svg",
        ),
        pytest.param(
            '<img src="images/dsl-poster.svg" alt="The DSL poster" onerror="alert(1)">',
            '<p><img src="images/dsl-poster.svg" alt="The DSL poster"></p>',
            id="onerror",
        ),
        pytest.param(
            '<a href="https://www.gov.uk/" onclick="alert(1)">KCSIE</a>',
            '<p><a href="https://www.gov.uk/" rel="noopener noreferrer">KCSIE</a></p>',
            id="onclick",
        ),
        pytest.param(
            "[Open the policy](javascript:alert(1))",
            '<p><a rel="noopener noreferrer">Open the policy</a></p>',
            id="javascript-markdown-link",
        ),
        pytest.param(
            '<a href="JaVaScRiPt:alert(1)">Open the policy</a>',
            '<p><a rel="noopener noreferrer">Open the policy</a></p>',
            id="javascript-html-link",
        ),
        pytest.param(
            "![Exit](data:image/svg+xml;base64,PHN2Zz4=)",
            '<p><img alt="Exit"></p>',
            id="data-url-image",
        ),
        pytest.param(
            '<div class="admonition danger">Careful.</div>',
            '<div class="admonition">Careful.</div>',
            id="disallowed-class-among-allowed",
        ),
        pytest.param(
            '<p class="lead" style="color: red">Tell the DSL.</p>',
            "<p>Tell the DSL.</p>",
            id="disallowed-class-and-style",
        ),
        pytest.param(
            '<ul class="admonition"><li>Listen</li></ul>',
            "<ul><li>Listen</li></ul>",
            id="allowed-class-on-wrong-tag",
        ),
    ],
)
def test_render_markdown_strips_unsafe_html(markdown, html):
    assert render_markdown(markdown) == html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        pytest.param(
            "## Who to tell\n\n### Out of hours",
            "<h2>Who to tell</h2>\n<h3>Out of hours</h3>",
            id="headings",
        ),
        pytest.param(
            "- Listen\n- Reassure\n\n1. Write it down\n2. Tell the DSL",
            "<ul>\n<li>Listen</li>\n<li>Reassure</li>\n</ul>\n"
            "<ol>\n<li>Write it down</li>\n<li>Tell the DSL</li>\n</ol>",
            id="lists",
        ),
        pytest.param(
            f"Read [KCSIE 2025]({KCSIE_URL}).",
            f'<p>Read <a href="{KCSIE_URL}" rel="noopener noreferrer">KCSIE 2025</a>.</p>',
            id="link",
        ),
        pytest.param(
            "<https://www.gov.uk/>",
            '<p><a href="https://www.gov.uk/" rel="noopener noreferrer">https://www.gov.uk/</a></p>',
            id="autolink",
        ),
        pytest.param(
            "![The DSL poster in the staffroom](images/dsl-poster.svg)",
            '<p><img alt="The DSL poster in the staffroom" src="images/dsl-poster.svg"></p>',
            id="image-with-alt",
        ),
        pytest.param(
            "Be **clear** and *calm*.",
            "<p>Be <strong>clear</strong> and <em>calm</em>.</p>",
            id="emphasis",
        ),
    ],
)
def test_render_markdown_keeps_safe_markup(markdown, html):
    assert render_markdown(markdown) == html


def test_render_markdown_key_point_callout():
    assert render_markdown('!!! key-point "Key point"\n    Tell the DSL the same day.') == (
        '<div class="admonition key-point">\n'
        '<p class="admonition-title">Key point</p>\n'
        "<p>Tell the DSL the same day.</p>\n"
        "</div>"
    )


def test_render_markdown_what_to_do_callout_with_steps():
    markdown = '!!! what-to-do "What to do"\n    1. Listen.\n    2. Tell the DSL.'

    assert render_markdown(markdown) == (
        '<div class="admonition what-to-do">\n'
        '<p class="admonition-title">What to do</p>\n'
        "<ol>\n<li>Listen.</li>\n<li>Tell the DSL.</li>\n</ol>\n"
        "</div>"
    )


def test_render_markdown_unknown_callout_kind_loses_its_class():
    assert render_markdown('!!! danger "Danger"\n    Careful.') == (
        '<div class="admonition">\n<p class="admonition-title">Danger</p>\n<p>Careful.</p>\n</div>'
    )


def test_render_markdown_returns_safe_string():
    assert type(render_markdown("Tell the DSL.")) is SafeString

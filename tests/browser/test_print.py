"""Printing the pages a DSL takes to a meeting or an inspection: the dashboard, a person's
record and the audit trail print their content, not navigation and forms, with tables at
full width."""

import pytest

from cpd.audit.services import audit_record
from tests.browser.support import DESKTOP, sign_in
from tests.factories import PASSWORD, MembershipFactory, RequirementFactory

pytestmark = pytest.mark.django_db(transaction=True)

HIDDEN_IN_PRINT = ["nav", "form", "footer", ".skip-link"]


def visible(page, selector: str) -> int:
    """How many elements matching ``selector`` take up any space."""
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.getClientRects().length > 0).length"
    )


@pytest.fixture
def school_with_history(school, dsl):
    RequirementFactory(name="Induction", course__slug="induction", renewal_months=None)
    for n in range(3):
        member = MembershipFactory(school=school, user__last_name=f"Person{n}")
        audit_record(actor=dsl.user, action="cpd.membership.nudged", target=member, school=school)
    return school


def test_dashboard_person_and_audit_print_content_only(new_page, dsl, school_with_history):
    page = new_page(DESKTOP)
    sign_in(page, dsl.user.email, PASSWORD)
    school = school_with_history
    pages = [
        f"/schools/{school.slug}/compliance/",
        f"/schools/{school.slug}/people/{dsl.pk}/",
        f"/schools/{school.slug}/audit/",
    ]
    for path in pages:
        page.emulate_media(media="screen")
        page.goto(path)
        on_screen = {s: visible(page, s) for s in HIDDEN_IN_PRINT}
        assert on_screen["nav"] >= 1 and on_screen["form"] >= 1, path
        page.emulate_media(media="print")
        assert {s: visible(page, s) for s in HIDDEN_IN_PRINT} == dict.fromkeys(
            HIDDEN_IN_PRINT, 0
        ), path
        assert visible(page, "h1") == 1, path
        assert visible(page, "table") >= (0 if "/people/" in path else 1), path
        # Nothing clipped inside a scroll box: every table region shows its whole table.
        clipped = page.eval_on_selector_all(
            ".table-scroll",
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length",
        )
        assert clipped == 0, path
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF-"), path

"""The school's safeguarding arrangements: kept by the DSL, shown on "Worried about a
child?", its poster and card, and the DSL's to-do while something is missing."""

import subprocess
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cpd.arrangements.selectors import arrangements_gaps, sheet_for_school, sheets_for_user
from cpd.arrangements.services import arrangements_update, lead_update
from cpd.models import Arrangements, AuditEvent, Membership, SafeguardingLead
from tests.factories import MembershipFactory, SchoolFactory

pytestmark = pytest.mark.django_db

FULL = {
    "recording_system": "CPOMS",
    "recording_link": "https://oakwood.cpoms.net/",
    "childrens_social_care": "Northshire Children's Front Door",
    "childrens_social_care_phone": "0300 123 4567",
    "childrens_social_care_out_of_hours": "0300 765 4321",
    "lado_contact": "Priya Shah, Northshire LADO",
    "lado_phone": "0300 111 2222",
    "lado_email": "lado@northshire.example",
    "partnership_procedures": "https://northshire-scp.example/procedures",
    "prevent_contact": "Northshire Prevent team",
    "prevent_phone": "0300 333 4444",
    "out_of_hours_cover": "The headteacher, on 07700 900123",
    "trips_cover": "The trip leader phones the DSL",
}


@pytest.fixture
def filled(school, dsl):
    arrangements_update(actor=dsl.user, school=school, **FULL)
    lead_update(membership=dsl, actor=dsl.user, phone="01632 960001", where_to_find="Room 4")
    return school


def test_arrangements_are_saved_and_audited(school, dsl):
    row = arrangements_update(actor=dsl.user, school=school, lado_contact="Priya Shah")
    assert (row.school, row.lado_contact) == (school, "Priya Shah")
    event = AuditEvent.objects.get(action="cpd.arrangements.changed")
    assert (event.actor, event.school, event.data) == (
        dsl.user, school, {"trust": None, "changed": {"lado_contact": ["", "Priya Shah"]}}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lado_phone", "call Priya", "Enter a telephone number"),
        ("prevent_phone", "0300 12<script>", "Enter a telephone number"),
        ("recording_link", "javascript:alert(1)", "Enter a valid URL."),
        ("lado_email", "not-an-address", "Enter a valid email address."),
    ],
)
def test_a_bad_value_is_refused_and_changes_nothing(school, dsl, field, value, message):
    arrangements_update(actor=dsl.user, school=school, lado_contact="Priya Shah")
    with pytest.raises(ValidationError) as refused:
        arrangements_update(actor=dsl.user, school=school, lado_contact="Other", **{field: value})
    assert list(refused.value.message_dict) == [field]
    assert refused.value.message_dict[field][0].startswith(message)
    assert Arrangements.objects.get(school=school).lado_contact == "Priya Shah"
    assert AuditEvent.objects.filter(action="cpd.arrangements.changed").count() == 1


def test_trust_defaults_fill_what_a_school_leaves_blank(school, trust, dsl):
    arrangements_update(actor=None, trust=trust, lado_contact="Trust LADO", prevent_phone="0300 1")
    arrangements_update(actor=dsl.user, school=school, lado_contact="Our LADO")
    sheet = sheet_for_school(school=school, on=date(2026, 10, 1))
    assert (sheet.values["lado_contact"], sheet.values["prevent_phone"]) == ("Our LADO", "0300 1")
    # The NSPCC's line is there even when nobody has given it.
    assert sheet.values["whistleblowing_phone"] == "0800 028 0285"


def test_the_dsls_to_do_names_what_staff_cannot_see(school, dsl):
    arrangements_update(actor=dsl.user, school=school, recording_system="CPOMS")
    sheet = sheet_for_school(school=school, on=date(2026, 10, 1))
    assert arrangements_gaps(sheet) == [
        "Staff can't see who your deputy DSLs are.",
        "Staff can't see the number for children's social care.",
        "Staff can't see children's social care's out-of-hours number.",
        "Staff can't see who your LADO is.",
        "Staff can't see your Prevent contact.",
        "Staff can't see who covers out of hours.",
    ]
    MembershipFactory(school=school, role=Membership.Role.DEPUTY_DSL)
    arrangements_update(actor=dsl.user, school=school, **FULL)
    assert arrangements_gaps(sheet_for_school(school=school, on=date(2026, 10, 1))) == []


def test_a_school_without_a_dsl_is_told_so(school):
    gaps = arrangements_gaps(sheet_for_school(school=school, on=date(2026, 10, 1)))
    assert gaps[0] == "Staff can't see who your DSL is: give someone the DSL role."


def test_worried_page_shows_the_dsl_and_numbers(filled, staff, sign_in):
    response = sign_in(staff).get(reverse("cpd:worried"))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("David Okafor", "01632 960001", "Room 4", "0300 123 4567", "0300 765 4321",
                 "Priya Shah, Northshire LADO", "0300 333 4444", "CPOMS", "999", "101",
                 "0800 028 0285"):  # fmt: skip
        assert text in body, text
    assert 'href="tel:01632960001"' in body


def test_worried_page_shows_each_of_a_persons_schools(filled, staff, sign_in):
    riverside = SchoolFactory(name="Riverside Academy", slug="riverside")
    MembershipFactory(school=riverside, user=staff.user)
    MembershipFactory(
        school=riverside, role="dsl", user__first_name="Rita", user__last_name="Patel"
    )
    arrangements_update(actor=None, school=riverside, lado_contact="Riverside LADO")
    sheets = sheets_for_user(user=staff.user, on=date(2026, 10, 1))
    assert [
        (s.school.name, [d.name for d in s.dsls], s.values["lado_contact"]) for s in sheets
    ] == [
        ("Oakwood Primary School", ["David Okafor"], "Priya Shah, Northshire LADO"),
        ("Riverside Academy", ["Rita Patel"], "Riverside LADO"),
    ]
    body = sign_in(staff).get(reverse("cpd:worried")).content.decode()
    assert "At Oakwood Primary School" in body and "At Riverside Academy" in body


def test_worried_page_never_shows_another_schools_arrangements(filled, other_school, sign_in):
    MembershipFactory(
        school=other_school, role="dsl", user__first_name="Hilda", user__last_name="Hill"
    )
    arrangements_update(actor=None, school=other_school, lado_contact="Hillside LADO")
    outsider = MembershipFactory(school=other_school)
    body = sign_in(outsider).get(reverse("cpd:worried")).content.decode()
    assert "Hilda Hill" in body and "Hillside LADO" in body
    assert "David Okafor" not in body and "Northshire" not in body


@pytest.mark.parametrize("schools", [1, 3])
def test_worried_page_reads_only_the_persons_schools(
    staff, sign_in, schools, django_assert_num_queries
):
    trust = staff.school.trust
    arrangements_update(actor=None, trust=trust, lado_contact="Trust LADO")
    for _n in range(schools - 1):
        other = SchoolFactory(trust=trust)
        MembershipFactory(school=other, user=staff.user)
        MembershipFactory(school=other, role="dsl")
    client = sign_in(staff)
    client.get(reverse("cpd:worried"))  # the header's links are kept in the session
    # The signed-in user, then the person's schools with their arrangements and their
    # trusts', then their DSLs and deputies: the same whatever the number of schools.
    with django_assert_num_queries(3):
        response = client.get(reverse("cpd:worried"))
    assert response.status_code == 200
    assert response.content.decode().count("Trust LADO") == schools


def test_only_the_dsl_or_an_admin_may_change_the_arrangements(school, staff, dsl, admin, sign_in):
    url = reverse("cpd:arrangements", kwargs={"slug": school.slug})
    assert sign_in(staff).get(url).status_code == 403
    deputy = MembershipFactory(school=school, role=Membership.Role.DEPUTY_DSL)
    assert sign_in(deputy).get(url).status_code == 403
    assert sign_in(admin).get(url).status_code == 200
    response = sign_in(dsl).post(url, {**FULL, "lado_phone": "ring me"})
    assert response.status_code == 400
    assert "Enter a telephone number" in response.content.decode()
    assert not Arrangements.objects.exists()
    response = sign_in(dsl).post(url, FULL)
    assert response.status_code == 302
    assert Arrangements.objects.get(school=school).lado_contact == "Priya Shah, Northshire LADO"


def test_a_leads_contact_details_are_changed_by_the_dsl(school, dsl, sign_in):
    url = reverse("cpd:arrangements_lead", kwargs={"slug": school.slug, "pk": dsl.pk})
    response = sign_in(dsl).post(url, {"phone": "01632 960001", "where_to_find": "Room 4"})
    assert response.status_code == 302
    assert (dsl.safeguarding_lead.phone, dsl.safeguarding_lead.where_to_find) == (
        "01632 960001", "Room 4",
    )  # fmt: skip


def test_a_photo_that_is_not_an_image_is_refused(school, dsl, sign_in):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("cpd:arrangements_lead", kwargs={"slug": school.slug, "pk": dsl.pk})
    photo = SimpleUploadedFile("me.jpg", b"%PDF-1.4 not an image", "image/jpeg")
    response = sign_in(dsl).post(url, {"phone": "01632 960001", "photo": photo})
    assert response.status_code == 400
    assert "The photo must be a PNG or JPEG image." in response.content.decode()
    assert not SafeguardingLead.objects.exists()


def test_another_schools_lead_is_not_found(school, dsl, other_school, sign_in):
    theirs = MembershipFactory(school=other_school, role="dsl")
    url = reverse("cpd:arrangements_lead", kwargs={"slug": school.slug, "pk": theirs.pk})
    assert sign_in(dsl).post(url, {"phone": "01632 960001"}).status_code == 404
    assert not SafeguardingLead.objects.exists()


def _pdf_text(data: bytes, tmp_path) -> tuple[str, str]:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout  # fmt: skip
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True)
    return text, info.stdout


def test_poster_is_one_a4_page_with_the_dsl_and_numbers(filled, staff, sign_in, tmp_path):
    url = reverse("cpd:worried_poster", kwargs={"slug": filled.slug})
    response = sign_in(staff).get(url)
    assert response["Content-Type"] == "application/pdf"
    text, info = _pdf_text(response.content, tmp_path)
    for expected in ("Worried about a child?", "Oakwood Primary School", "David Okafor",
                     "01632 960001", "0300 123 4567", "0300 765 4321", "0300 111 2222",
                     "0300 333 4444", "0800 028 0285", "999", "CPOMS"):  # fmt: skip
        assert expected in text, expected
    assert "Pages:           1\n" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info


def test_card_is_wallet_sized_with_the_dsl(filled, staff, sign_in, tmp_path):
    url = reverse("cpd:worried_card", kwargs={"slug": filled.slug})
    text, info = _pdf_text(sign_in(staff).get(url).content, tmp_path)
    assert "David Okafor" in text and "01632 960001" in text and "0300 123 4567" in text
    assert "Page size:       242.646 x 153.071 pts" in info


def test_the_dashboard_shows_the_dsl_what_staff_cannot_see(school, dsl, sign_in):
    arrangements_update(actor=dsl.user, school=school, **FULL)
    MembershipFactory(school=school, role=Membership.Role.DEPUTY_DSL)
    body = sign_in(dsl).get(reverse("cpd:compliance", kwargs={"slug": school.slug}))
    assert body.context["todo"] == ["Staff have no child protection policy to read: publish it."]
    arrangements_update(actor=dsl.user, school=school, lado_contact="")
    body = sign_in(dsl).get(reverse("cpd:compliance", kwargs={"slug": school.slug}))
    assert "Staff can&#x27;t see who your LADO is." in body.content.decode()


def test_the_trust_overview_lists_each_schools_to_do(school, trust, other_school, sign_in):
    from tests.factories import TrustRoleFactory

    SchoolFactory(trust=trust, name="Riverside Academy", slug="riverside")
    MembershipFactory(school=school, role=Membership.Role.DSL)
    MembershipFactory(school=other_school, role=Membership.Role.DSL)
    arrangements_update(actor=None, school=school, lado_contact="Priya Shah")
    admin = TrustRoleFactory(trust=trust)
    response = sign_in(admin.user).get(reverse("cpd:trust", kwargs={"slug": trust.slug}))
    todos = {s.name: items for s, items in response.context["todos"]}
    assert list(todos) == ["Oakwood Primary School", "Riverside Academy"]
    assert "Staff can't see who your LADO is." not in todos["Oakwood Primary School"]
    assert todos["Riverside Academy"][:2] == [
        "Staff can't see who your DSL is: give someone the DSL role.",
        "Staff can't see who your deputy DSLs are.",
    ]


def test_poster_carries_the_schools_logo(filled, staff, sign_in, tmp_path, media):
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 30), (29, 79, 145)).save(buffer, format="PNG")
    filled.logo.save("logo.png", ContentFile(buffer.getvalue()))
    url = reverse("cpd:worried_poster", kwargs={"slug": filled.slug})
    path = tmp_path / "poster.pdf"
    path.write_bytes(sign_in(staff).get(url).content)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True,
                            text=True).stdout.splitlines()[2:]  # fmt: skip
    assert [line.split()[3:5] for line in images] == [["60", "30"]]


def test_a_leads_photo_shows_to_their_schools_staff_and_on_the_poster(
    filled, dsl, staff, other_school, sign_in, tmp_path, media
):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), (200, 10, 10)).save(buffer, format="JPEG")
    url = reverse("cpd:arrangements_lead", kwargs={"slug": filled.slug, "pk": dsl.pk})
    photo = SimpleUploadedFile("me.png", buffer.getvalue(), "image/png")
    sign_in(dsl).post(url, {"phone": "01632 960001", "where_to_find": "Room 4", "photo": photo})
    lead = SafeguardingLead.objects.get()
    assert lead.photo.name.endswith(".jpg")  # named for its content, not the upload's name
    photo_url = reverse("cpd:arrangements_lead_photo", kwargs={"slug": filled.slug, "pk": dsl.pk})
    page = sign_in(staff).get(reverse("cpd:worried")).content.decode()
    assert f'src="{photo_url}" alt="David Okafor"' in page
    response = sign_in(staff).get(photo_url)
    assert (response["Content-Type"], b"".join(response.streaming_content)) == (
        "image/jpeg", buffer.getvalue(),
    )  # fmt: skip
    outsider = MembershipFactory(school=other_school)
    assert sign_in(outsider).get(photo_url).status_code == 404
    path = tmp_path / "poster.pdf"
    poster = reverse("cpd:worried_poster", kwargs={"slug": filled.slug})
    path.write_bytes(sign_in(staff).get(poster).content)
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True,
                            text=True).stdout.splitlines()[2:]  # fmt: skip
    assert [line.split()[3:5] for line in images] == [["40", "50"]]

"""Reading a school's safeguarding arrangements: who to tell and how, merged with its
trust's defaults, for the "Worried about a child?" page, the poster and card, lessons'
placeholders and the DSL's to-do."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpd.errors import NotFound
from cpd.models import Arrangements, Membership, School

# The values a school keeps, each replaced field by field by its trust's where blank.
FIELDS = tuple(
    f.name
    for f in Arrangements._meta.get_fields()
    if f.concrete and f.name not in {"id", "school", "trust", "updated_at"}
)

LEAD_ROLES = (Membership.Role.DSL, Membership.Role.DEPUTY_DSL)

# The NSPCC's whistleblowing advice line, shown where a school has not given another.
NSPCC_WHISTLEBLOWING = "0800 028 0285"


@dataclass
class Lead:
    """A DSL or deputy, as staff see them."""

    membership_id: int
    name: str
    role: str
    role_label: str
    phone: str = ""
    where_to_find: str = ""
    photo: object = None  # the stored image (a FieldFile), or None
    photo_uri: str = ""  # set for a PDF render: the photo as a data: URI


@dataclass
class SchoolSheet:
    """Everything "Worried about a child?" shows for one school."""

    school: School
    values: dict[str, str]
    leads: list[Lead] = field(default_factory=list)

    @property
    def dsls(self) -> list[Lead]:
        return [lead for lead in self.leads if lead.role == Membership.Role.DSL]

    @property
    def deputies(self) -> list[Lead]:
        return [lead for lead in self.leads if lead.role == Membership.Role.DEPUTY_DSL]


def _merged(school: School, own: Arrangements | None, trust: Arrangements | None) -> dict:
    values = {}
    for name in FIELDS:
        value = getattr(own, name, "") or getattr(trust, name, "") or ""
        values[name] = value
    values["whistleblowing_phone"] = values["whistleblowing_phone"] or NSPCC_WHISTLEBLOWING
    return values


def _sheets(schools: list[School], on: date) -> list[SchoolSheet]:
    """Sheets for schools fetched with ``arrangements`` and ``trust__arrangements``
    selected: one query more, for their DSLs and deputies."""
    leads: dict[int, list[Lead]] = {s.pk: [] for s in schools}
    if schools:
        rows = (
            Membership.objects.filter(school__in=[s.pk for s in schools], role__in=LEAD_ROLES)
            .active_on(on)
            .select_related("user", "safeguarding_lead")
            .order_by("user__last_name", "user__first_name", "pk")
        )
        # The DSL first, then the deputies.
        for m in sorted(rows, key=lambda m: m.role != Membership.Role.DSL):
            contact = getattr(m, "safeguarding_lead", None)
            leads[m.school_id].append(
                Lead(
                    membership_id=m.pk,
                    name=m.user.get_full_name() or m.user.email,
                    role=m.role,
                    role_label=str(_role_label(m.role)),
                    phone=contact.phone if contact else "",
                    where_to_find=contact.where_to_find if contact else "",
                    photo=contact.photo if contact and contact.photo else None,
                )
            )
    sheets = []
    for school in schools:
        own = _related(school, "arrangements")
        trust = _related(school.trust, "arrangements") if school.trust_id else None
        sheets.append(SchoolSheet(school, _merged(school, own, trust), leads[school.pk]))
    return sheets


def _role_label(role: str):
    return {
        Membership.Role.DSL: gettext_lazy("Designated safeguarding lead"),
        Membership.Role.DEPUTY_DSL: gettext_lazy("Deputy designated safeguarding lead"),
    }[role]


def _related(obj, name):
    try:
        return getattr(obj, name)
    except Arrangements.DoesNotExist:
        return None


def _schools() -> "object":
    return School.objects.select_related("arrangements", "trust", "trust__arrangements")


def sheets_for_user(*, user, on: date) -> list[SchoolSheet]:
    """The arrangements of each school this person belongs to (and has not left), in
    name order: two queries, whatever the number of schools."""
    mine = Membership.objects.filter(user=user).current(on).values("school_id")
    schools = list(_schools().filter(pk__in=mine).order_by("name", "pk"))
    return _sheets(schools, on)


def sheet_for_school(*, school: School, on: date) -> SchoolSheet:
    """One school's arrangements (its page, poster and card)."""
    fresh = _schools().filter(pk=school.pk).first()
    if fresh is None:
        raise NotFound(_("No such school."))
    return _sheets([fresh], on)[0]


def sheets_for_schools(*, schools: list[School], on: date) -> list[SchoolSheet]:
    """Arrangements for several schools (a trust's overview): two queries."""
    fresh = list(_schools().filter(pk__in=[s.pk for s in schools]).order_by("name", "pk"))
    return _sheets(fresh, on)


def school_arrangements(*, school: School) -> Arrangements | None:
    """The school's own row (not its trust's), for its edit form."""
    return Arrangements.objects.filter(school=school).first()


def trust_arrangements(*, trust) -> Arrangements | None:
    return Arrangements.objects.filter(trust=trust).first()


def leads_of_school(*, school: School, on: date) -> list[Membership]:
    return list(
        Membership.objects.for_school(school)
        .filter(role__in=LEAD_ROLES)
        .active_on(on)
        .select_related("user", "safeguarding_lead")
        .order_by("role", "user__last_name", "user__first_name")
    )


def lead_photo_in_school(*, school: School, pk: int, on: date):
    """The photo of a current DSL or deputy of this school; ``NotFound`` otherwise."""
    lead = (
        Membership.objects.for_school(school)
        .filter(pk=pk, role__in=LEAD_ROLES)
        .active_on(on)
        .select_related("safeguarding_lead")
        .first()
    )
    contact = getattr(lead, "safeguarding_lead", None) if lead else None
    if contact is None or not contact.photo:
        raise NotFound(_("No such photo."))
    return contact.photo


def lead_in_school(*, school: School, pk: int, on: date) -> Membership:
    lead = (
        Membership.objects.for_school(school)
        .filter(pk=pk, role__in=LEAD_ROLES)
        .current(on)
        .select_related("user")
        .first()
    )
    if lead is None:
        raise NotFound(_("No such DSL or deputy in this school."))
    return lead


# What staff cannot see when a field is empty: the DSL's to-do.
GAPS = (
    ("dsl", gettext_lazy("Staff can't see who your DSL is: give someone the DSL role.")),
    ("deputies", gettext_lazy("Staff can't see who your deputy DSLs are.")),
    ("recording_system", gettext_lazy("Staff can't see how to record a concern.")),
    (
        "childrens_social_care_phone",
        gettext_lazy("Staff can't see the number for children's social care."),
    ),
    (
        "childrens_social_care_out_of_hours",
        gettext_lazy("Staff can't see children's social care's out-of-hours number."),
    ),
    ("lado_contact", gettext_lazy("Staff can't see who your LADO is.")),
    ("prevent_contact", gettext_lazy("Staff can't see your Prevent contact.")),
    ("out_of_hours_cover", gettext_lazy("Staff can't see who covers out of hours.")),
)


def arrangements_gaps(sheet: SchoolSheet) -> list[str]:
    """What is missing from a school's arrangements, as sentences for its DSL."""
    gaps = []
    for key, sentence in GAPS:
        if key == "dsl":
            missing = not sheet.dsls
        elif key == "deputies":
            missing = not sheet.deputies
        else:
            missing = not sheet.values.get(key)
        if missing:
            gaps.append(str(sentence))
    return gaps

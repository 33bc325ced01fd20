"""Everything Safeguarding CPD serves. A host project mounts it with one line:
``path("", include("cpd.urls"))``.

This is the top floor: it is the one module that sees every app's pages."""

from django.urls import include, path

from cpd.accounts import token_views
from cpd.arrangements import views as arrangement_views
from cpd.audit import views as audit_views
from cpd.compliance import views as compliance_views
from cpd.compliance.bulletins import views as bulletin_views
from cpd.compliance.evidence import views as evidence_views
from cpd.compliance.policies import views as policy_views
from cpd.compliance.records import views as record_views
from cpd.people import views as people_views
from cpd.site import health

compliance = [
    path("", compliance_views.home, name="home"),
    path("training/", compliance_views.my_training, name="my_training"),
    path("schools/", compliance_views.schools, name="schools"),
    path("schools/<slug:slug>/compliance/", compliance_views.compliance, name="compliance"),
    path(
        "schools/<slug:slug>/compliance.<str:fmt>",
        compliance_views.compliance_download,
        name="compliance_download",
    ),
    path("schools/<slug:slug>/people/<int:pk>/", compliance_views.person, name="person"),
    path("schools/<slug:slug>/people/<int:pk>/nudge/", compliance_views.nudge, name="nudge"),
    path(
        "schools/<slug:slug>/compliance/remind-overdue/",
        compliance_views.remind_overdue,
        name="remind_overdue",
    ),
    path(
        "schools/<slug:slug>/people/<int:pk>/export/",
        compliance_views.person_export,
        name="person_export",
    ),
    path(
        "schools/<slug:slug>/knowledge-gaps/",
        compliance_views.knowledge_gaps,
        name="knowledge_gaps",
    ),
    path("trusts/<slug:slug>/", compliance_views.trust, name="trust"),
    path("schools/<slug:slug>/requirements/", compliance_views.rules, name="requirements"),
    path(
        "schools/<slug:slug>/requirements/<int:course_id>/",
        compliance_views.rule_edit,
        name="requirement_edit",
    ),
    path(
        "schools/<slug:slug>/requirements/<int:course_id>/reset/",
        compliance_views.rule_reset,
        name="requirement_reset",
    ),
    path("schools/<slug:slug>/bulletins/", bulletin_views.school_bulletins, name="bulletins"),
    path(
        "schools/<slug:slug>/bulletins/<int:pk>/",
        bulletin_views.school_bulletin,
        name="bulletin_readership",
    ),
    path("bulletins/<int:pk>/", bulletin_views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/confirm/", bulletin_views.bulletin_confirm, name="bulletin_confirm"),
    path("training/records/", record_views.my_records, name="my_records"),
    path("training/records/<int:pk>/evidence/", record_views.evidence, name="evidence"),
    path("schools/<slug:slug>/records/", record_views.school_records, name="school_records"),
    path("schools/<slug:slug>/records/<int:pk>/decide/", record_views.decide, name="decide_record"),
    path("schools/<slug:slug>/evidence/", evidence_views.evidence, name="evidence_pack"),
    path(
        "schools/<slug:slug>/evidence/<int:pk>/",
        evidence_views.export_status,
        name="evidence_pack_status",
    ),
    path(
        "schools/<slug:slug>/evidence/<int:pk>/download/",
        evidence_views.export_download,
        name="evidence_pack_download",
    ),
]

people = [
    path("schools/<slug:slug>/audit/", audit_views.audit_trail, name="audit"),
    path("schools/<slug:slug>/staff/", people_views.staff_list, name="staff"),
    path("schools/<slug:slug>/staff/import/", people_views.staff_import, name="staff_import"),
    path(
        "schools/<slug:slug>/staff/import/<uuid:token>/",
        people_views.staff_import_preview,
        name="staff_import_preview",
    ),
    path(
        "schools/<slug:slug>/staff/<int:pk>/leave/",
        people_views.staff_leave,
        name="staff_leave",
    ),
    path(
        "schools/<slug:slug>/staff/<int:pk>/restore/",
        people_views.staff_restore,
        name="staff_restore",
    ),
    path("api-token/", token_views.api_token, name="api_token"),
    path("invitations/", people_views.invitations, name="invitations"),
    path(
        "invitations/<int:pk>/",
        people_views.invitation_answer,
        name="invitation_answer",
    ),
]

arrangements = [
    path("worried/", arrangement_views.worried, name="worried"),
    path(
        "schools/<slug:slug>/worried/poster.pdf",
        arrangement_views.worried_poster,
        name="worried_poster",
    ),
    path(
        "schools/<slug:slug>/worried/card.pdf", arrangement_views.worried_card, name="worried_card"
    ),
    path("schools/<slug:slug>/arrangements/", arrangement_views.arrangements, name="arrangements"),
    path(
        "schools/<slug:slug>/arrangements/leads/<int:pk>/",
        arrangement_views.lead,
        name="arrangements_lead",
    ),
    path(
        "schools/<slug:slug>/arrangements/leads/<int:pk>/photo/",
        arrangement_views.lead_photo,
        name="arrangements_lead_photo",
    ),
    path("schools/<slug:slug>/policies/", policy_views.school_policies, name="school_policies"),
    path(
        "trusts/<slug:slug>/arrangements/",
        policy_views.trust_arrangements,
        name="trust_arrangements",
    ),
    path("policies/", policy_views.my_policies, name="my_policies"),
    path("policies/<int:pk>/", policy_views.policy, name="policy"),
    path("policies/<int:pk>/confirm/", policy_views.policy_confirm, name="policy_confirm"),
    path("policies/<int:pk>/file/", policy_views.policy_file, name="policy_file"),
]

urlpatterns = [
    # Sign-in, password reset, single sign-on and two-factor: django-allauth.
    path("accounts/", include("allauth.urls")),
    path("", include((people + compliance + arrangements, "cpd"))),
    path("", include("courses.urls")),
    path("", include("certificates.urls")),
    path("api/v1/", include("cpd.api.urls")),
    path("health/", health.health, name="health"),
    path("health/ready/", health.ready, name="health_ready"),
]

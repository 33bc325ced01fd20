"""Everything Safeguarding CPD serves. A host project mounts it with one line:
``path("", include("cpd.urls"))``."""

from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from cpd import (
    audit_views,
    bulletin_views,
    health,
    record_views,
    requirement_views,
    staff_views,
    views,
)

accounts = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="cpd/accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="cpd/accounts/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="cpd/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]

cpd_patterns = [
    path("", views.home, name="home"),
    path("schools/<slug:slug>/compliance/", views.compliance, name="compliance"),
    path(
        "schools/<slug:slug>/compliance.<str:fmt>",
        views.compliance_download,
        name="compliance_download",
    ),
    path("schools/<slug:slug>/people/<int:pk>/", views.person, name="person"),
    path("schools/<slug:slug>/people/<int:pk>/nudge/", views.nudge, name="nudge"),
    path("schools/<slug:slug>/people/<int:pk>/export/", views.person_export, name="person_export"),
    path("schools/<slug:slug>/knowledge-gaps/", views.knowledge_gaps, name="knowledge_gaps"),
    path("trusts/<slug:slug>/", views.trust, name="trust"),
    path("schools/<slug:slug>/audit/", audit_views.audit_trail, name="audit"),
    path("schools/<slug:slug>/requirements/", requirement_views.rules, name="requirements"),
    path(
        "schools/<slug:slug>/requirements/<int:course_id>/",
        requirement_views.rule_edit,
        name="requirement_edit",
    ),
    path(
        "schools/<slug:slug>/requirements/<int:course_id>/reset/",
        requirement_views.rule_reset,
        name="requirement_reset",
    ),
    path("training/records/", record_views.my_records, name="my_records"),
    path("schools/<slug:slug>/bulletins/", bulletin_views.school_bulletins, name="bulletins"),
    path(
        "schools/<slug:slug>/bulletins/<int:pk>/",
        bulletin_views.school_bulletin,
        name="bulletin_readership",
    ),
    path("bulletins/<int:pk>/", bulletin_views.bulletin, name="bulletin"),
    path("bulletins/<int:pk>/confirm/", bulletin_views.bulletin_confirm, name="bulletin_confirm"),
    path("training/records/<int:pk>/evidence/", record_views.evidence, name="evidence"),
    path("schools/<slug:slug>/records/", record_views.school_records, name="school_records"),
    path("schools/<slug:slug>/records/<int:pk>/decide/", record_views.decide, name="decide_record"),
    path("schools/<slug:slug>/staff/", staff_views.staff_list, name="staff"),
    path("schools/<slug:slug>/staff/import/", staff_views.staff_import, name="staff_import"),
    path(
        "schools/<slug:slug>/staff/import/<uuid:token>/",
        staff_views.staff_import_preview,
        name="staff_import_preview",
    ),
    path("schools/<slug:slug>/staff/<int:pk>/leave/", staff_views.staff_leave, name="staff_leave"),
    path("api-token/", staff_views.api_token, name="api_token"),
]

urlpatterns = [
    path("accounts/", include(accounts)),
    path("", include((cpd_patterns, "cpd"))),
    path("", include("courses.urls")),
    path("", include("certificates.urls")),
    path("api/v1/", include("cpd.api.urls")),
    path("health/", health.health, name="health"),
]

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile

from cpd.models import (
    AuditEvent,
    ExternalRecord,
    Membership,
    Requirement,
    School,
    SignInPolicy,
    Trust,
    TrustRole,
)
from cpd.uploads import logo_cleaned


class SchoolAdminForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "slug", "urn", "trust", "country", "logo", "timezone"]
        # Checked by ``logo_cleaned``, which names the problem, rather than by Pillow's
        # own verify (which opens the image before its size is checked).
        field_classes = {"logo": forms.FileField}

    def clean_logo(self):
        """A new logo is kept by its real type and re-encoded (``cpd.uploads``)."""
        logo = self.cleaned_data.get("logo")
        if isinstance(logo, UploadedFile):
            return logo_cleaned(logo)
        return logo


class SchoolInline(admin.TabularInline):
    model = School
    fields = ["name", "slug", "urn", "country"]
    extra = 0
    show_change_link = True


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SchoolInline]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    form = SchoolAdminForm
    list_display = ["name", "urn", "trust", "country"]
    list_filter = ["country", "trust"]
    search_fields = ["name", "slug", "urn"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["trust"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "school",
        "first_name",
        "last_name",
        "status",
        "role",
        "staff_category",
        "job_title",
        "started_on",
        "left_on",
    ]
    list_filter = [
        "status",
        "role",
        "staff_category",
        "school",
        ("left_on", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "user__email",
        "first_name",
        "last_name",
        "job_title",
        "school__name",
    ]
    autocomplete_fields = ["user", "school"]
    list_select_related = ["user", "school"]
    date_hierarchy = "started_on"


@admin.register(TrustRole)
class TrustRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "trust", "role"]
    list_filter = ["trust"]
    search_fields = ["user__email", "trust__name"]
    autocomplete_fields = ["user", "trust"]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "scope",
        "trust",
        "school",
        "course",
        "renewal_months",
        "induction_days",
        "is_active",
    ]
    list_filter = ["scope", "is_active", "course"]
    search_fields = ["name", "course__title", "school__name", "trust__name"]
    autocomplete_fields = ["trust", "school", "course"]


@admin.register(ExternalRecord)
class ExternalRecordAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "membership", "completed_on", "status"]
    list_filter = ["status", "membership__school"]
    search_fields = ["title", "provider", "membership__user__email"]
    autocomplete_fields = ["membership", "satisfies_course"]
    readonly_fields = ["verified_by", "verified_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, for support staff and superusers alike."""

    list_display = ["at", "action", "target_repr", "actor", "school"]
    list_filter = ["action", "school"]
    search_fields = ["action", "target_repr", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SignInPolicy)
class SignInPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "providers", "email_domains", "automatic_accounts"]
    list_display += ["require_two_factor"]
    autocomplete_fields = ["trust", "school"]

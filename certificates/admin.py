from django.contrib import admin

from certificates.models import Certificate, Export


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Issued certificates are evidence: nothing here can change or delete one. A correction
    is a revocation or re-issue, done through the service so it is audited."""

    list_display = [
        "serial",
        "holder_name",
        "course_title",
        "school_name",
        "issued_at",
        "expires_on",
        "status",
    ]
    list_filter = ["status", "course", "membership__school"]
    search_fields = ["serial", "holder_name", "membership__user__email", "verification_code"]
    date_hierarchy = "issued_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["school", "requested_by", "status", "progress", "created_at"]
    list_filter = ["status", "school"]
    readonly_fields = [
        "school",
        "requested_by",
        "filters",
        "status",
        "progress",
        "certificate_count",
        "error",
        "file",
        "sha256",
        "created_at",
        "expires_at",
    ]

    def has_add_permission(self, request):
        return False

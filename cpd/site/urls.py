from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("cpd.urls")),
]

# A lost database gets the "try again in a moment" page (503), anything else Django's 500.
handler500 = "cpd.site.unavailable.server_error"

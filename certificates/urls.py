from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("certificates/<str:serial>/", views.detail, name="detail"),
    path("certificates/<str:serial>/pdf/", views.download, name="pdf"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
]

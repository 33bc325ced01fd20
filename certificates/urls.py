from django.urls import path

from certificates import views

app_name = "certificates"

urlpatterns = [
    path("certificates/", views.my_certificates, name="list"),
    path("certificates/<str:serial>/", views.detail, name="detail"),
    path("certificates/<str:serial>/pdf/", views.download, name="pdf"),
    path("certificates/<str:serial>/revoke/", views.revoke, name="revoke"),
    path("certificates/<str:serial>/reissue/", views.reissue, name="reissue"),
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
]

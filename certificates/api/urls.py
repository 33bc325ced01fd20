from django.urls import include, path
from rest_framework.routers import SimpleRouter

from certificates.api import certificates, views

router = SimpleRouter()
router.register("certificates", certificates.CertificateViewSet, basename="certificate")

urlpatterns = [
    path("", include(router.urls)),
    path("verify/<str:code>/", views.VerifyView.as_view(), name="certificate-verify"),
]

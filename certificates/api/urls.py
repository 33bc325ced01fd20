from django.urls import path

from certificates.api import views

urlpatterns = [
    path("verify/<str:code>/", views.VerifyView.as_view(), name="certificate-verify"),
]

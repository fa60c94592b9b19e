from django.urls import path

from . import views

urlpatterns = [
    path(
        "my/offerings/<int:offering_id>/certificate.pdf",
        views.certificate_download,
        name="certificate-download",
    ),
    path("certificates/", views.certificate_verify_form, name="certificate-verify-form"),
    path("certificates/<str:code>/", views.certificate_verify, name="certificate-verify"),
]

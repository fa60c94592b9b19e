from django.urls import path

from . import views

urlpatterns = [
    path("accreditation/register/", views.register, name="accreditation-register"),
    path("my/accreditation/", views.my_accreditation, name="my-accreditation"),
    path("my/accreditation/<int:candidacy_id>/", views.my_candidacy, name="my-candidacy"),
    path(
        "my/accreditation/<int:candidacy_id>/sections/<slug:section>/",
        views.my_section,
        name="my-candidacy-section",
    ),
    path(
        "my/accreditation/<int:candidacy_id>/files/new/",
        views.my_file_add,
        name="my-candidacy-file-add",
    ),
    path(
        "my/accreditation/<int:candidacy_id>/files/<int:file_id>/",
        views.my_file_download,
        name="my-candidacy-file",
    ),
    path(
        "my/accreditation/<int:candidacy_id>/files/<int:file_id>/remove/",
        views.my_file_remove,
        name="my-candidacy-file-remove",
    ),
    path(
        "my/accreditation/<int:candidacy_id>/offerings/",
        views.my_led_offerings,
        name="my-candidacy-offerings",
    ),
    path("my/accreditation/<int:candidacy_id>/check/", views.my_submit, name="my-candidacy-check"),
    path(
        "my/accreditation/<int:candidacy_id>/versions/<int:number>/",
        views.my_version,
        name="my-candidacy-version",
    ),
    path("my/accreditation/<int:candidacy_id>/pg-cert/", views.my_pg_cert, name="my-pg-cert"),
    path("my/accreditation/<int:candidacy_id>/appeal/", views.my_appeal, name="my-appeal"),
    path(
        "my/accreditation/awards/<int:accreditation_id>/register/",
        views.my_register_listing,
        name="my-register-listing",
    ),
    path(
        "my/accreditation/awards/<int:accreditation_id>/renewal/",
        views.my_renewal,
        name="my-renewal",
    ),
]

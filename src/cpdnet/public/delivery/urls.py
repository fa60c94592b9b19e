from django.urls import path

from . import school_views, views

urlpatterns = [
    path(
        "my/school/participation/", school_views.school_participation, name="school-participation"
    ),
    path(
        "my/school/places/<int:application_id>/swap/",
        school_views.lead_participant_swap,
        name="lead-participant-swap",
    ),
    path("my/offerings/<int:offering_id>/", views.my_offering, name="my-offering"),
    path("my/offerings/<int:offering_id>/tasks/<int:task_id>/", views.my_task, name="my-task"),
    path(
        "my/offerings/<int:offering_id>/tasks/<int:task_id>/file/",
        views.my_submission_file,
        name="my-submission-file",
    ),
    path(
        "my/offerings/<int:offering_id>/sessions/<int:session_id>/reflection/",
        views.my_reflection,
        name="my-reflection",
    ),
    path(
        "my/offerings/<int:offering_id>/final-reflection/",
        views.my_final_reflection,
        name="my-final-reflection",
    ),
    path("my/offerings/<int:offering_id>/cascade/", views.my_cascade, name="my-cascade"),
    # Declared public: public resources are for anyone; the view checks the rest.
    path(
        "resources/<int:resource_id>/download/", views.resource_download, name="resource-download"
    ),
    path(
        "materials/<int:material_id>/download/", views.material_download, name="material-download"
    ),
    path(
        "programmes/<int:programme_id>/documents/<int:document_id>/",
        views.programme_document_download,
        name="programme-document",
    ),
]

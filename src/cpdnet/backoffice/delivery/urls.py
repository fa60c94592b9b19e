from django.urls import path

from . import views

urlpatterns = [
    path("offerings/", views.offering_list, name="offerings-to-run"),
    path("offerings/<int:offering_id>/", views.offering_run, name="offering-run"),
    path(
        "offerings/<int:offering_id>/complete/",
        views.offering_complete,
        name="offering-complete",
    ),
    path(
        "offerings/<int:offering_id>/completion/<int:confirmation_id>/undo/",
        views.completion_undo,
        name="completion-undo",
    ),
    path(
        "offerings/<int:offering_id>/participants/<int:application_id>/",
        views.participant_detail,
        name="offering-participant",
    ),
    path(
        "offerings/<int:offering_id>/sessions/<int:session_id>/register/",
        views.session_register,
        name="session-register",
    ),
    path(
        "offerings/<int:offering_id>/resources/",
        views.offering_resources,
        name="offering-resources",
    ),
    path(
        "offerings/<int:offering_id>/resources/from-library/",
        views.resource_from_library,
        name="offering-resource-from-library",
    ),
    path(
        "offerings/<int:offering_id>/resources/<int:resource_id>/delete/",
        views.resource_delete,
        name="resource-delete",
    ),
    path("offerings/<int:offering_id>/tasks/", views.offering_tasks, name="offering-tasks"),
    path(
        "offerings/<int:offering_id>/messages/", views.offering_messages, name="offering-messages"
    ),
    path(
        "offerings/<int:offering_id>/tasks/<int:task_id>/",
        views.task_submissions,
        name="task-submissions",
    ),
    path(
        "offerings/<int:offering_id>/submissions/<int:submission_id>/file/",
        views.submission_file,
        name="submission-file",
    ),
]

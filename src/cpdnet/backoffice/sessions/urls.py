from django.urls import path

from . import views

urlpatterns = [
    path(
        "offerings/<int:offering_id>/sessions/",
        views.offering_sessions,
        name="offering-sessions",
    ),
    path("offerings/<int:offering_id>/sessions/new/", views.session_create, name="session-new"),
    path(
        "offerings/<int:offering_id>/sessions/<int:session_id>/edit/",
        views.session_edit,
        name="session-edit",
    ),
    path(
        "offerings/<int:offering_id>/sessions/<int:session_id>/cancel/",
        views.session_cancel,
        name="session-cancel",
    ),
]

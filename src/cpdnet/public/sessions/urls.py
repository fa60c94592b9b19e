from django.urls import path

from . import views

urlpatterns = [
    path("my/sessions/", views.my_sessions, name="my-sessions"),
    path("my/sessions/<int:session_id>/", views.session_detail, name="session"),
    # One public .ics per session for participants and the API alike: it never holds the join
    # link, only what the catalogue and API already show (see docs/sessions.md).
    path("sessions/<int:session_id>.ics", views.session_ics, name="session-ics"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("account/calendar/", views.calendar_settings, name="calendar"),
    path("account/calendar/stop/", views.calendar_stop, name="calendar-stop"),
]

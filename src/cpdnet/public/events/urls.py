from django.urls import path

from . import views

urlpatterns = [
    path("events/<int:offering_id>/register/", views.register, name="event-register"),
    path("events/registrations/<str:token>/", views.registration, name="event-registration"),
    path(
        "events/registrations/<str:token>/slides/<int:resource_id>/",
        views.slides_download,
        name="event-slides",
    ),
]

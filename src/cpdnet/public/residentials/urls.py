from django.urls import path

from . import views

urlpatterns = [
    path("my/stays/<int:application_id>/", views.residential_stay, name="residential-stay"),
]

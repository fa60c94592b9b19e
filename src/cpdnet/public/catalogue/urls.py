from django.urls import path

from . import views

urlpatterns = [
    path("programmes/", views.catalogue, name="catalogue"),
    path("programmes/offerings/<int:offering_id>/", views.offering_detail, name="offering"),
]

from django.urls import path

from . import views

app_name = "backoffice"
urlpatterns = [
    path("areas/<slug:network>/", views.area_coverage, name="area-coverage"),
]

from django.urls import path

from . import views

# Included under backoffice/insights/ in the "backoffice" namespace.
urlpatterns = [
    path("", views.national, name="insights"),
    path("hubs/<slug:slug>/", views.hub, name="insights-hub"),
    path(
        "hubs/<slug:slug>/never-engaged.csv",
        views.never_engaged_export,
        name="insights-never-engaged",
    ),
    path("schools/", views.schools, name="insights-schools"),
    path("schools.csv", views.schools_export, name="insights-schools-csv"),
    path("impact/", views.impact, name="insights-impact"),
    path("extract.csv", views.extract, name="insights-extract"),
]

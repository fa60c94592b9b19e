from django.urls import path

from . import views
from .delivery import urls as delivery_urls
from .evaluation import views as evaluation
from .hub import views as hub
from .sessions import urls as sessions_urls

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<slug:network>/", views.area_coverage, name="area-coverage"),
    path("audit/", views.audit_trail, name="audit"),
    path("evaluation/page-feedback/", evaluation.page_feedback, name="page-feedback"),
    path(
        "evaluation/page-feedback/pages/",
        evaluation.page_feedback_paths,
        name="page-feedback-paths",
    ),
    path("evaluation/surveys/", evaluation.survey_results, name="survey-results"),
    path("hub/", hub.hub_dashboard, name="hub"),
    path("hub/applications.csv", hub.applications_export, name="applications-csv"),
    path("hub/offerings/new/", hub.offering_create, name="offering-new"),
    path("hub/offerings/<int:offering_id>/edit/", hub.offering_edit, name="offering-edit"),
    path("hub/offerings/<int:offering_id>/open/", hub.offering_open, name="offering-open"),
    path("hub/offerings/<int:offering_id>/close/", hub.offering_close, name="offering-close"),
    path(
        "hub/offerings/<int:offering_id>/applications/",
        hub.offering_applications,
        name="offering-applications",
    ),
    path(
        "hub/offerings/<int:offering_id>/applications/decide/",
        hub.offering_applications_decide,
        name="offering-applications-decide",
    ),
    path(
        "hub/offerings/<int:offering_id>/applications.csv",
        hub.offering_applications_export,
        name="offering-applications-csv",
    ),
    path(
        "hub/offerings/<int:offering_id>/waiting-list/",
        hub.offering_waiting_list,
        name="offering-waiting-list",
    ),
    path("hub/applications/<int:application_id>/", hub.application_detail, name="application"),
    path(
        "hub/applications/<int:application_id>/decide/",
        hub.application_decide,
        name="application-decide",
    ),
    *sessions_urls.urlpatterns,
    *delivery_urls.urlpatterns,
]

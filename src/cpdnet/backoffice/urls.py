from django.urls import include, path

from . import views
from .accreditation import urls as accreditation_urls
from .delivery import urls as delivery_urls
from .designs import views as designs
from .evaluation import views as evaluation
from .events import views as events
from .funding import urls as funding_urls
from .hub import endorsements, facilitator_requirements
from .hub import views as hub
from .insights import urls as insights_urls
from .materials import urls as materials_urls
from .newsletters import views as newsletters
from .schools import views as schools
from .sessions import urls as sessions_urls

app_name = "backoffice"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/<slug:network>/", views.area_coverage, name="area-coverage"),
    path("audit/", views.audit_trail, name="audit"),
    path("tasks/failed/", views.failed_tasks, name="failed-tasks"),
    path(
        "tasks/failed/<uuid:result_id>/retry/",
        views.failed_task_retry,
        name="failed-task-retry",
    ),
    path(
        "tasks/emails/<int:outbox_id>/retry/",
        views.abandoned_email_retry,
        name="abandoned-email-retry",
    ),
    path("insights/", include(insights_urls)),
    path("evaluation/page-feedback/", evaluation.page_feedback, name="page-feedback"),
    path(
        "evaluation/page-feedback/pages/",
        evaluation.page_feedback_paths,
        name="page-feedback-paths",
    ),
    path("evaluation/surveys/", evaluation.survey_results, name="survey-results"),
    path(
        "offerings/<int:offering_id>/feedback/",
        evaluation.offering_feedback,
        name="offering-feedback",
    ),
    path("schools/", schools.schools, name="schools"),
    path("schools/<int:urn>/", schools.school, name="school"),
    path("schools/<int:urn>/domains/", schools.domain_add, name="school-domain-add"),
    path(
        "schools/<int:urn>/domains/<int:domain_id>/remove/",
        schools.domain_remove,
        name="school-domain-remove",
    ),
    path(
        "schools/people/<int:affiliation_id>/",
        schools.affiliation_decide,
        name="affiliation-decide",
    ),
    path("hub/", hub.hub_dashboard, name="hub"),
    path("hub/designs/", designs.design_list, name="local-designs"),
    path("hub/designs/new/", designs.design_create, name="local-design-new"),
    path("hub/designs/<int:design_id>/", designs.design_detail, name="local-design"),
    path("hub/designs/<int:design_id>/edit/", designs.design_edit, name="local-design-edit"),
    path("hub/designs/<int:design_id>/submit/", designs.design_submit, name="local-design-submit"),
    path("national/designs/", designs.design_queue, name="local-design-queue"),
    path(
        "national/designs/<int:design_id>/decide/",
        designs.design_decide,
        name="local-design-decide",
    ),
    path("hub/applications.csv", hub.applications_export, name="applications-csv"),
    path("hub/providers/", hub.provider_reach, name="provider-reach"),
    path("hub/endorsements/", endorsements.endorsements, name="endorsements"),
    path(
        "programmes/who-may-lead/",
        facilitator_requirements.facilitator_requirements,
        name="facilitator-requirements",
    ),
    path(
        "programmes/<int:programme_id>/who-may-lead/",
        facilitator_requirements.facilitator_requirement_edit,
        name="facilitator-requirement",
    ),
    path(
        "hub/endorsements/<int:application_id>/",
        endorsements.endorsement_decide,
        name="endorsement",
    ),
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
    path(
        "hub/offerings/<int:offering_id>/waiting-list/<int:application_id>/offer/",
        hub.waiting_list_offer,
        name="waiting-list-offer",
    ),
    path(
        "hub/offerings/<int:offering_id>/schools/",
        hub.offering_school_enrolments,
        name="offering-schools",
    ),
    path(
        "hub/offerings/<int:offering_id>/schools/<int:enrolment_id>/withdraw/",
        hub.offering_school_withdraw,
        name="offering-school-withdraw",
    ),
    path(
        "hub/offerings/<int:offering_id>/waiting-list/<int:application_id>/move/",
        hub.waiting_list_move,
        name="waiting-list-move",
    ),
    path("hub/applications/<int:application_id>/", hub.application_detail, name="application"),
    path(
        "hub/applications/<int:application_id>/decide/",
        hub.application_decide,
        name="application-decide",
    ),
    *sessions_urls.urlpatterns,
    *funding_urls.urlpatterns,
    *delivery_urls.urlpatterns,
    *materials_urls.urlpatterns,
    *accreditation_urls.urlpatterns,
    path("events/<int:offering_id>/", events.registrations, name="event-registrations"),
    path(
        "events/<int:offering_id>/registrations.csv",
        events.registrations_export,
        name="event-registrations-csv",
    ),
    path("events/<int:offering_id>/attendance/", events.attendance, name="event-attendance"),
    path(
        "events/<int:offering_id>/attendance-file/",
        events.attendance_file,
        name="event-attendance-file",
    ),
    path("newsletters/", newsletters.index, name="newsletters"),
    path(
        "newsletters/audiences/new/",
        newsletters.audience_edit,
        name="newsletter-audience-new",
    ),
    path(
        "newsletters/audiences/<int:audience_id>/",
        newsletters.audience_edit,
        name="newsletter-audience",
    ),
    path("newsletters/issues/new/", newsletters.issue_edit, name="newsletter-issue-new"),
    path("newsletters/issues/<int:issue_id>/", newsletters.issue_detail, name="newsletter-issue"),
    path(
        "newsletters/issues/<int:issue_id>/edit/",
        newsletters.issue_edit,
        name="newsletter-issue-edit",
    ),
    path(
        "newsletters/issues/<int:issue_id>/send/",
        newsletters.issue_send,
        name="newsletter-issue-send",
    ),
]

from django.urls import path

from . import enrol_views, views

urlpatterns = [
    path("programmes/offerings/<int:offering_id>/apply/", views.apply, name="apply"),
    path(
        "programmes/offerings/<int:offering_id>/apply/approver/",
        views.apply_approver,
        name="apply-approver",
    ),
    path(
        "programmes/offerings/<int:offering_id>/apply/information-sheet/",
        views.apply_information_sheet,
        name="apply-information-sheet",
    ),
    path(
        "programmes/offerings/<int:offering_id>/apply/information-sheet/download/",
        views.apply_information_sheet_download,
        name="apply-information-sheet-download",
    ),
    path(
        "programmes/offerings/<int:offering_id>/apply/pd-leadership/",
        views.apply_pd_leadership,
        name="apply-pd-leadership",
    ),
    path(
        "programmes/offerings/<int:offering_id>/apply/check/", views.apply_check, name="apply-check"
    ),
    path("account/applications/", views.my_applications, name="my-applications"),
    path(
        "account/applications/<int:application_id>/withdraw/",
        views.withdraw_application,
        name="withdraw-application",
    ),
    path(
        "account/applications/<int:application_id>/take-up/",
        views.take_up_place,
        name="take-up-place",
    ),
    path(
        "programmes/offerings/<int:offering_id>/enrol-school/",
        enrol_views.enrol_school_view,
        name="enrol-school",
    ),
    path(
        "school/enrolments/<int:enrolment_id>/withdraw/",
        enrol_views.enrolment_withdraw,
        name="enrolment-withdraw",
    ),
    path(
        "school/enrolments/<int:enrolment_id>/leads/<int:lead_id>/replace/",
        enrol_views.enrolment_lead_replace,
        name="enrolment-lead-replace",
    ),
    path(
        "school/enrolments/<int:enrolment_id>/colleagues/",
        enrol_views.enrolment_colleagues,
        name="enrolment-colleagues",
    ),
    path("account/school-places/<int:lead_id>/", enrol_views.enrolment_lead, name="enrolment-lead"),
    path("approvals/<str:token>/", views.school_approval, name="school-approval"),
    path("school/approvals/", views.school_approvals, name="school-approvals"),
    path(
        "school/people/<int:affiliation_id>/",
        views.school_affiliation_decide,
        name="school-affiliation-decide",
    ),
]

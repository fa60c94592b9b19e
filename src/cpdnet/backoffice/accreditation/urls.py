from django.urls import path

from . import views

P = "accreditation/"
urlpatterns = [
    path(P, views.index, name="accreditation"),
    path(f"{P}assignments/", views.assignments, name="accreditation-assignments"),
    path(f"{P}assignments/<int:assessment_id>/", views.marking, name="accreditation-marking"),
    path(
        f"{P}assignments/<int:assessment_id>/recommend/",
        views.recommend,
        name="accreditation-recommend",
    ),
    path(
        f"{P}assignments/<int:assessment_id>/files/<int:file_id>/",
        views.marking_file,
        name="accreditation-marking-file",
    ),
    path(f"{P}submissions/", views.submissions, name="accreditation-submissions"),
    path(
        f"{P}submissions/<int:candidacy_id>/",
        views.candidacy_detail,
        name="accreditation-candidacy",
    ),
    path(f"{P}submissions/<int:candidacy_id>/assign/", views.assign, name="accreditation-assign"),
    path(
        f"{P}submissions/<int:candidacy_id>/unassign/<int:assessment_id>/",
        views.unassign,
        name="accreditation-unassign",
    ),
    path(
        f"{P}submissions/<int:candidacy_id>/extension/",
        views.extension,
        name="accreditation-extension",
    ),
    path(
        f"{P}submissions/<int:candidacy_id>/withdraw/",
        views.withdraw,
        name="accreditation-withdraw",
    ),
    path(
        f"{P}submissions/<int:candidacy_id>/moderation/",
        views.moderation_decide,
        name="accreditation-moderation-decide",
    ),
    path(f"{P}submissions/<int:candidacy_id>/ratify/", views.ratify, name="accreditation-ratify"),
    path(f"{P}workload/", views.workload, name="accreditation-workload"),
    path(f"{P}deadlines/", views.deadlines, name="accreditation-deadlines"),
    path(
        f"{P}deadlines/<int:offering_id>/",
        views.deadline_edit,
        name="accreditation-deadline-edit",
    ),
    path(f"{P}moderation/", views.moderation, name="accreditation-moderation"),
    path(f"{P}awarding/", views.awarding, name="accreditation-awarding"),
    path(f"{P}appeals/", views.appeals, name="accreditation-appeals"),
    path(f"{P}appeals/<int:appeal_id>/", views.appeal_decide, name="accreditation-appeal-decide"),
    path(f"{P}renewals/", views.renewals, name="accreditation-renewals"),
    path(
        f"{P}renewals/<int:renewal_id>/",
        views.renewal_review,
        name="accreditation-renewal-review",
    ),
    path(f"{P}register/", views.full_register, name="accreditation-register"),
    path(f"{P}pg-cert.csv", views.pg_cert_export, name="accreditation-pg-cert-csv"),
]

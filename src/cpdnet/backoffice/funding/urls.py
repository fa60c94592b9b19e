from django.urls import path

from . import views

urlpatterns = [
    path("funding/", views.index, name="funding"),
    path("funding/funds/new/", views.fund_edit, name="funding-fund-new"),
    path("funding/funds/<int:fund_id>/", views.fund_detail, name="funding-fund"),
    path("funding/funds/<int:fund_id>/edit/", views.fund_edit, name="funding-fund-edit"),
    path("funding/funds/<int:fund_id>/entries.csv", views.fund_csv, name="funding-fund-csv"),
    path("funding/claims/", views.claims, name="funding-claims"),
    path(
        "funding/claims/<int:bursary_id>/approve/",
        views.claim_approve,
        name="funding-claim-approve",
    ),
    path(
        "funding/claims/<int:bursary_id>/reject/", views.claim_reject, name="funding-claim-reject"
    ),
    path("funding/runs/", views.payment_runs, name="funding-runs"),
    path("funding/runs/<int:run_id>/", views.payment_run, name="funding-run"),
    path(
        "funding/runs/<int:run_id>/approve/",
        views.payment_run_approve,
        name="funding-run-approve",
    ),
    path("funding/runs/<int:run_id>/cancel/", views.payment_run_cancel, name="funding-run-cancel"),
    path("funding/runs/<int:run_id>/payments.csv", views.payment_run_file, name="funding-run-file"),
    path(
        "funding/payments/<int:payment_id>/returned/",
        views.payment_return,
        name="funding-payment-return",
    ),
    path("funding/invoices/", views.invoices, name="funding-invoices"),
    path(
        "funding/invoices/<int:invoice_id>/payment/",
        views.invoice_payment,
        name="funding-invoice-payment",
    ),
    path("funding/schools/<int:urn>/", views.school_statement, name="funding-school"),
    path("funding/reach/", views.reach, name="funding-reach"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("my/offerings/<int:offering_id>/bursary/", views.my_bursary, name="my-bursary"),
    path(
        "my/offerings/<int:offering_id>/bursary/claim/",
        views.my_bursary_claim,
        name="my-bursary-claim",
    ),
    path("my/school-finance/", views.school_finance, name="school-finance"),
    path(
        "my/school-finance/<int:urn>/bank-details/",
        views.bank_details,
        name="school-bank-details",
    ),
    path(
        "my/school-finance/<int:urn>/statement.csv",
        views.statement_csv,
        name="school-statement-csv",
    ),
    path("invoices/<int:invoice_id>.pdf", views.invoice_pdf, name="invoice-pdf"),
]

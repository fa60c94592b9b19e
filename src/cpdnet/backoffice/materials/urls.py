from django.urls import path

from . import views

urlpatterns = [
    path("programmes/documents/", views.programme_list, name="programme-document-list"),
    path(
        "programmes/<int:programme_id>/documents/",
        views.programme_documents,
        name="programme-documents",
    ),
    path(
        "programmes/<int:programme_id>/documents/<int:document_id>/",
        views.programme_document_replace,
        name="programme-document",
    ),
    path(
        "programmes/<int:programme_id>/documents/<int:document_id>/remove/",
        views.programme_document_remove,
        name="programme-document-remove",
    ),
    path("materials/", views.material_list, name="materials"),
    path("materials/<int:material_id>/", views.material_edit, name="material"),
    path("materials/<int:material_id>/remove/", views.material_remove, name="material-remove"),
]

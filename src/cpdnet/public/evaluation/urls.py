from django.urls import path

from . import views

urlpatterns = [
    path("my/offerings/<int:offering_id>/survey/<str:kind>/", views.survey, name="survey"),
    path("my/sessions/<int:session_id>/feedback/", views.session_feedback, name="session-feedback"),
    path("feedback/page/", views.page_feedback, name="page-feedback"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("newsletters/", views.subscribe, name="newsletters"),
    path("newsletters/confirm/<str:token>/", views.confirm, name="newsletter-confirm"),
    path("newsletters/preferences/<str:token>/", views.preferences, name="newsletter-preferences"),
    path("newsletters/unsubscribe/<str:token>/", views.unsubscribe, name="newsletter-unsubscribe"),
]

from django.contrib import admin
from django.urls import include, path

from cpdnet.api.urls import api

urlpatterns = [
    path("", include("cpdnet.operations.urls")),
    path("", include("cpdnet.public.urls")),
    path("", include("cpdnet.accounts.urls")),
    path("api/v1/", api.urls),
    path("backoffice/", include("cpdnet.backoffice.urls")),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

from cpdnet.accounts.views import admin_sign_in
from cpdnet.api.urls import api

# A busy database met outside a view is a 503 too (see database_busy.py).
handler500 = "cpdnet.database_busy.server_error"

# The API first: Django tries patterns in order and records every one that failed, so the
# busiest endpoints behind the public site's ~100 patterns paid 0.2 ms a request to get there.
urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("cpdnet.operations.urls")),
    path("", include("cpdnet.public.urls")),
    path("", include("cpdnet.accounts.urls")),
    path("backoffice/", include("cpdnet.backoffice.urls")),
    # The admin has no sign-in of its own: the portal's goes through the sign-in policy.
    path("admin/login/", admin_sign_in, name="admin-sign-in"),
    path("admin/", admin.site.urls),
]

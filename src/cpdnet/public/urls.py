from django.urls import path

from . import views
from .accreditation import urls as accreditation_urls
from .applying import urls as applying_urls
from .catalogue import urls as catalogue_urls
from .certificates import urls as certificates_urls
from .delivery import urls as delivery_urls
from .evaluation import urls as evaluation_urls
from .events import urls as event_urls
from .funding import urls as funding_urls
from .home import urls as home_urls
from .info import urls as info_urls
from .newsletters import urls as newsletter_urls
from .residentials import urls as residential_urls
from .sessions import urls as sessions_urls

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path(".well-known/security.txt", views.security_txt, name="security-txt"),
    path("find-your-hub/", views.find_your_hub, name="find-your-hub"),
    path("find-your-hub/schools/<int:urn>/", views.school_detail, name="school"),
    path(
        "find-your-hub/schools/<int:urn>/different-hub/",
        views.hub_change_request,
        name="hub-change-request",
    ),
    path("hubs/", views.hub_list, name="hubs"),
    path("hubs/<slug:slug>/", views.hub_detail, name="hub"),
    *home_urls.urlpatterns,
    *info_urls.urlpatterns,
    *catalogue_urls.urlpatterns,
    *applying_urls.urlpatterns,
    *event_urls.urlpatterns,
    *newsletter_urls.urlpatterns,
    *evaluation_urls.urlpatterns,
    *certificates_urls.urlpatterns,
    *sessions_urls.urlpatterns,
    *delivery_urls.urlpatterns,
    *residential_urls.urlpatterns,
    *funding_urls.urlpatterns,
    *accreditation_urls.urlpatterns,
]

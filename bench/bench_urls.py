"""cpdnet's URLconf plus one constant JSON view: the floor a Django view costs on this stack.

Selected by bench.bench_settings (ROOT_URLCONF). The constant view goes through the same
middleware as the API but does no database work and no validation, so the ratio
API rps / constant rps says how much the school endpoint itself costs.
"""

from django.http import JsonResponse
from django.urls import path

from cpdnet.urls import urlpatterns as cpdnet_urlpatterns

# The shape and size (~700 bytes) of a real GET /api/v1/schools/{urn} answer.
CONSTANT_SCHOOL = {
    "urn": 142835,
    "name": "ACE Schools Plymouth",
    "status": "open",
    "town": "Plymouth",
    "postcode": "PL4 0AT",
    "la_code": "879",
    "la_name": "Plymouth",
    "phase": "Not applicable",
    "is_state_funded": True,
    "url": "/find-your-hub/schools/142835/",
    "type_name": "Academy alternative provision converter",
    "type_group": "Academies",
    "district_code": "E06000026",
    "region_name": "South West",
    "pupils": 210,
    "percentage_fsm": 36.7,
    "open_date": "2016-06-01",
    "close_date": None,
    "successor_urn": None,
    "hubs": [
        {"network": "maths", "name": "Jurassic Maths Hub", "slug": "jurassic-maths-hub"},
        {
            "network": "science",
            "name": "South West Science Learning Partnership (demo)",
            "slug": "science-south-west",
        },
    ],
}


def constant_school(request):
    return JsonResponse(CONSTANT_SCHOOL)


urlpatterns = [path("bench/constant/", constant_school), *cpdnet_urlpatterns]

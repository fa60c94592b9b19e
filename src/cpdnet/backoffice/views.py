"""National staff pages beyond the admin: which authorities have no hub or several."""

from django.http import Http404
from django.shortcuts import render

from cpdnet.accounts.permissions import Access, declare
from cpdnet.hubs.models import Network
from cpdnet.hubs.selectors import list_authority_coverage, list_schools_without_hub


@declare(Access.NATIONAL_STAFF)
def area_coverage(request, network: str):
    try:
        network_obj = Network.objects.get(slug=network)
    except Network.DoesNotExist:
        raise Http404("No such network") from None
    coverage = list_authority_coverage(network_obj)
    return render(
        request,
        "backoffice/area_coverage.html",
        {
            "network": network_obj,
            "networks": Network.objects.all(),
            "without_hub": [row for row in coverage if row.has_no_hub],
            "split": [row for row in coverage if row.is_split],
            "authority_count": len(coverage),
            "schools_without_hub": list_schools_without_hub(network_obj).order_by("name")[:200],
            "schools_without_hub_count": list_schools_without_hub(network_obj).count(),
        },
    )

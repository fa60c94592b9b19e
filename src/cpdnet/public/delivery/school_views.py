"""A school's leaders see their teachers' places: cascade and completion, per school and per
teacher. Only for the schools the person releases staff for (school approver)."""

from django.shortcuts import render

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import list_approved_school_urns
from cpdnet.delivery import selectors
from cpdnet.public.catalogue.forms import current_academic_year


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return current_academic_year()
    return year if 2000 <= year <= 2100 else current_academic_year()


@declare(Access.SCHOOL_APPROVER)
def school_participation(request):
    urns = list_approved_school_urns(request.user)
    year = _year(request)
    participations = list(selectors.list_school_participations(urns, year))
    summaries = selectors.summarise_school_participations(urns, year)
    return render(
        request,
        "public/schools/participation.html",
        {
            "year": year,
            "year_label": f"{year}/{(year + 1) % 100:02d}",
            "years": [
                (value, f"{value}/{(value + 1) % 100:02d}") for value in range(year - 2, year + 2)
            ],
            "by_school": [
                (
                    summary,
                    [place for place in participations if place.school_id == summary.urn],
                )
                for summary in summaries
            ],
        },
    )

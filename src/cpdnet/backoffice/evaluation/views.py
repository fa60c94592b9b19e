"""National staff's view of evaluation: page feedback and start and end survey results."""

from django import forms
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.backoffice.forms import GovukForm
from cpdnet.evaluation import selectors
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import access_runnable_offering

FEEDBACK_PER_PAGE = 50
# The people who run an offering see survey means only from this many pairs, so that no
# participant's own answers can be read off a small group.
SMALLEST_GROUP = 5
SURVEY_RESULTS_CACHE_SECONDS = 600
PATHS_PER_PAGE = 50


class PageFilterForm(GovukForm):
    path = forms.CharField(
        label=_("Page address"),
        help_text=_("The path, for example /programmes/"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)


@declare(Access.NATIONAL_STAFF)
def page_feedback(request):
    form = PageFilterForm(request.GET)
    path = form.cleaned_data["path"].strip() if form.is_valid() else ""
    page = Paginator(selectors.list_page_feedback(path=path), FEEDBACK_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/evaluation/page_feedback.html",
        {"form": form, "path": path, "page": page, "feedback": page.object_list},
    )


@declare(Access.NATIONAL_STAFF)
def page_feedback_paths(request):
    page = Paginator(selectors.list_page_feedback_counts(), PATHS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/evaluation/page_feedback_paths.html",
        {"page": page, "paths": page.object_list},
    )


def _by_programme(results) -> list[dict]:
    programmes: dict[int, dict] = {}
    for row in results:
        programme = programmes.setdefault(
            row["programme_id"], {"title": row["programme_title"], "questions": []}
        )
        programme["questions"].append(
            {**row, "change": f"{row['end_mean'] - row['start_mean']:+.2f}"}
        )
    return list(programmes.values())


@declare(Access.NATIONAL_STAFF)
def survey_results(request):
    # Every pair in the country is joined and grouped: keep the answer until a new survey
    # comes in (or question wording changes show, within the timeout).
    key = f"cpdnet:survey-results:{selectors.latest_survey_response_id()}"
    results = cache.get(key)
    if results is None:
        results = selectors.list_survey_results()
        cache.set(key, results, timeout=SURVEY_RESULTS_CACHE_SECONDS)
    return render(
        request, "backoffice/evaluation/surveys.html", {"programmes": _by_programme(results)}
    )


# Signed in, then access_runnable_offering: its facilitator, its hub's staff, national staff.
@declare(Access.SIGNED_IN)
def offering_feedback(request, offering_id: int):
    try:
        offering = access_runnable_offering(request.user, offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering you run has this number") from None
    results = _by_programme(selectors.list_survey_results(offering_id=offering.pk))
    return render(
        request,
        "backoffice/evaluation/offering_feedback.html",
        {
            "offering": offering,
            "sessions": selectors.list_session_ratings(offering),
            "comments": selectors.list_session_comments(offering),
            "responses": selectors.count_survey_responses(offering),
            "questions": [
                row
                for row in (results[0]["questions"] if results else [])
                if row["pairs"] >= SMALLEST_GROUP
            ],
            "smallest_group": SMALLEST_GROUP,
        },
    )

"""National staff's view of evaluation: page feedback and start and end survey results."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.backoffice.forms import GovukForm
from cpdnet.evaluation import selectors

FEEDBACK_PER_PAGE = 50
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


@declare(Access.NATIONAL_STAFF)
def survey_results(request):
    programmes: dict[int, dict] = {}
    for row in selectors.list_survey_results():
        programme = programmes.setdefault(
            row["programme_id"], {"title": row["programme_title"], "questions": []}
        )
        programme["questions"].append(
            {**row, "change": f"{row['end_mean'] - row['start_mean']:+.2f}"}
        )
    return render(
        request, "backoffice/evaluation/surveys.html", {"programmes": list(programmes.values())}
    )

"""Newsletters for national staff: audiences, and issues written, previewed and sent."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.notifications import newsletters
from cpdnet.notifications.models import Audience, NewsletterIssue

from .forms import AudienceForm, IssueForm

PER_PAGE = 25
RECIPIENTS_PER_PAGE = 100
AUDIENCE_FIELDS = ("name", "slug", "description", "display_order", "is_active")


def _issue(issue_id: int) -> NewsletterIssue:
    issue = newsletters.list_issues().filter(pk=issue_id).first()
    if issue is None:
        raise Http404("No newsletter issue has this number")
    return issue


@declare(Access.NATIONAL_STAFF)
def index(request):
    page = Paginator(newsletters.list_issues(), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/newsletters/index.html",
        {
            "audiences": newsletters.list_audiences_with_counts(),
            "page": page,
            "issues": page.object_list,
        },
    )


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def audience_edit(request, audience_id: int | None = None):
    audience = (
        Audience() if audience_id is None else Audience.objects.filter(pk=audience_id).first()
    )
    if audience is None:
        raise Http404("No audience has this number")
    initial = {name: getattr(audience, name) for name in AUDIENCE_FIELDS}
    form = AudienceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        for name in AUDIENCE_FIELDS:
            setattr(audience, name, form.cleaned_data[name])
        try:
            newsletters.save_audience(audience=audience, by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Audience saved: %(name)s") % {"name": audience.name})
            return redirect("backoffice:newsletters")
    return render(
        request, "backoffice/newsletters/audience_form.html", {"form": form, "audience": audience}
    )


@declare(Access.NATIONAL_STAFF)
@require_http_methods(["GET", "POST"])
def issue_edit(request, issue_id: int | None = None):
    issue = NewsletterIssue() if issue_id is None else _issue(issue_id)
    if issue.is_sent:
        messages.error(request, _("This issue has been sent: it cannot change."))
        return redirect("backoffice:newsletter-issue", issue_id=issue.pk)
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        audiences=Audience.objects.all(),
        initial={"audience": issue.audience_id, "subject": issue.subject, "body": issue.body},
    )
    if request.method == "POST" and form.is_valid():
        issue.audience = form.cleaned_data["audience"]
        issue.subject = form.cleaned_data["subject"]
        issue.body = form.cleaned_data["body"].replace("\r\n", "\n")
        try:
            newsletters.save_issue(issue=issue, by=request.user)
        except ValidationError as error:
            form.add_service_errors(error)
        except newsletters.NewsletterError as error:
            form.add_service_errors(ValidationError(error.reason))
        else:
            messages.success(request, _("Saved. Check the preview, then send it."))
            return redirect("backoffice:newsletter-issue", issue_id=issue.pk)
    return render(request, "backoffice/newsletters/issue_form.html", {"form": form, "issue": issue})


@declare(Access.NATIONAL_STAFF)
def issue_detail(request, issue_id: int):
    issue = _issue(issue_id)
    page = None
    if issue.is_sent:
        page = Paginator(newsletters.list_deliveries(issue), RECIPIENTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "backoffice/newsletters/issue.html",
        {
            "issue": issue,
            "subscriber_count": issue.audience.subscribers.count(),
            "deliveries": newsletters.count_deliveries(issue) if issue.is_sent else None,
            "page": page,
        },
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def issue_send(request, issue_id: int):
    issue = _issue(issue_id)
    try:
        issue = newsletters.send_issue(issue=issue, by=request.user)
    except newsletters.NewsletterError as error:
        messages.error(request, error.reason)
    else:
        messages.success(
            request,
            _("Sending to %(count)d subscribers in %(batches)d batches.")
            % {"count": issue.recipient_count, "batches": issue.batch_count},
        )
    return redirect("backoffice:newsletter-issue", issue_id=issue.pk)

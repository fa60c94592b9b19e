"""Back office pages: the index of what a person may use, and national staff's own pages."""

import uuid

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_tasks_db.models import DBTaskResult

from cpdnet.accounts.models import Role
from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import has_role, is_national_staff, list_staffed_hub_ids
from cpdnet.hubs.models import Hub, Network
from cpdnet.hubs.selectors import list_authority_coverage, list_networks, list_schools_without_hub
from cpdnet.notifications.models import OutboxEmail
from cpdnet.notifications.outbox import list_abandoned_owed_emails, retry_owed_email
from cpdnet.notifications.task_results import (
    error_summary,
    list_failed_task_results,
    retry_failed_task,
)
from cpdnet.programmes.selectors import list_runnable_offerings

from .forms import GovukForm, hub_field
from .selectors import list_audit_entries


def list_staffed_hubs(user) -> list[Hub]:
    return list(Hub.objects.filter(pk__in=list_staffed_hub_ids(user)).order_by("name"))


AUDIT_PER_PAGE = 50


@declare(Access.SIGNED_IN)
def index(request):
    national = is_national_staff(request.user)
    return render(
        request,
        "backoffice/index.html",
        {
            "hub_staff": national
            or has_role(request.user, Role.HUB_STAFF)
            or has_role(request.user, Role.PROVIDER_STAFF),
            "national": national,
            "designs_local": national or has_role(request.user, Role.HUB_STAFF),
            "networks": list_networks() if national else [],
            "admin": request.user.is_staff,
            "runner": list_runnable_offerings(request.user).exists(),
            # Hub staff reach their own hubs' insights; national staff start from the nation.
            "insight_hubs": [] if national else list_staffed_hubs(request.user),
            "evaluator": has_role(request.user, Role.EVALUATOR),
            "accreditation": national or has_role(request.user, Role.HUB_STAFF),
            "marker": has_role(request.user, Role.ASSESSOR)
            or has_role(request.user, Role.MODERATOR),
            "funding": national
            or has_role(request.user, Role.FINANCE)
            or has_role(request.user, Role.HUB_STAFF),
        },
    )


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


class AuditFilterForm(GovukForm):
    action = forms.CharField(
        label=_("Action starts with"),
        help_text=_("For example applications. or programmes.offering"),
        max_length=80,
        required=False,
    )

    def __init__(self, *args, hubs, **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["hub"] = hub_field(hubs, required=False, empty_label=_("All hubs"))
        self.style_field("hub")
        self.order_fields(["hub", "action"])


@declare(Access.NATIONAL_STAFF)
def audit_trail(request):
    form = AuditFilterForm(request.GET, hubs=Hub.objects.select_related("network").order_by("name"))
    hub, action = None, ""
    if form.is_valid():
        hub, action = form.cleaned_data["hub"], form.cleaned_data["action"].strip()
    entries = list_audit_entries(hub=hub, action_prefix=action)
    page = Paginator(entries, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/audit.html",
        {"form": form, "page": page, "entries": page.object_list},
    )


FAILED_TASKS_PER_PAGE = 50


@declare(Access.NATIONAL_STAFF)
def failed_tasks(request):
    page = Paginator(list_failed_task_results(), FAILED_TASKS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [{"result": result, "error": error_summary(result)} for result in page.object_list]
    # Rarely more than a handful: each is an email the sweep tried OUTBOX_MAX_ATTEMPTS times.
    abandoned = list_abandoned_owed_emails()[:FAILED_TASKS_PER_PAGE]
    return render(
        request,
        "backoffice/failed_tasks.html",
        {"page": page, "rows": rows, "abandoned_emails": abandoned},
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def failed_task_retry(request, result_id: uuid.UUID):
    try:
        failed = retry_failed_task(result_id=result_id, by=request.user)
    except DBTaskResult.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("%(task)s will run again shortly.") % {"task": failed.task_name})
    return redirect("backoffice:failed-tasks")


@declare(Access.NATIONAL_STAFF)
@require_POST
def abandoned_email_retry(request, outbox_id: int):
    try:
        owed = retry_owed_email(outbox_id=outbox_id, by=request.user)
    except OutboxEmail.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("%(task)s will run again shortly.") % {"task": owed.task_name})
    return redirect("backoffice:failed-tasks")

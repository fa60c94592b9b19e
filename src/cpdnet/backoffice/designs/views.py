"""Local designs: hub staff propose a local Work Group or network meeting, change it while it
is a draft or returned, and send it; national staff approve, return or decline it.

A hub's staff see their hubs' designs only; another hub's answer 404, as do missing ones.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.accounts.selectors import is_national_staff
from cpdnet.backoffice.hub.selectors import list_visible_hubs
from cpdnet.programmes.models import LocalDesign
from cpdnet.programmes.selectors import (
    access_local_design,
    list_design_history,
    list_submitted_local_designs,
    list_visible_local_designs,
)
from cpdnet.programmes.services import (
    DesignError,
    create_local_design,
    decide_local_design,
    submit_local_design,
    update_local_design,
)

from .forms import DesignDecisionForm, LocalDesignForm


def _access(request, design_id: int) -> LocalDesign:
    try:
        return access_local_design(request.user, design_id)
    except LocalDesign.DoesNotExist:
        raise Http404("No design of your hubs has this number") from None


@declare(Access.HUB_STAFF)
def design_list(request):
    return render(
        request,
        "backoffice/designs/list.html",
        {"designs": list_visible_local_designs(request.user).order_by("-updated_at", "-id")},
    )


@declare(Access.HUB_STAFF)
def design_create(request):
    hubs = list_visible_hubs(request.user)
    if not hubs.exists():
        raise Http404("No hub to design for")
    form = LocalDesignForm(request.POST if request.method == "POST" else None, hubs=hubs)
    if request.method == "POST" and form.is_valid():
        try:
            design = create_local_design(
                hub=form.cleaned_data["hub"], by=request.user, **form.design_fields()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Draft saved. Send it to national staff when ready."))
            return redirect("backoffice:local-design", design_id=design.pk)
    return render(
        request,
        "backoffice/designs/form.html",
        {"form": form, "design": None},
        status=400 if form.errors else 200,
    )


@declare(Access.HUB_STAFF)
def design_edit(request, design_id: int):
    design = _access(request, design_id)
    if not design.is_editable:
        raise Http404("This design can no longer be changed")
    initial = {name: getattr(design, name) for name in LocalDesignForm.base_fields}
    initial["audience"] = design.audience_roles
    form = LocalDesignForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_local_design(design=design, by=request.user, **form.design_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        except DesignError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("backoffice:local-design", design_id=design.pk)
    return render(
        request,
        "backoffice/designs/form.html",
        {"form": form, "design": design},
        status=400 if form.errors else 200,
    )


def _render_design(request, design, decision_form=None, status=200):
    return render(
        request,
        "backoffice/designs/detail.html",
        {
            "design": design,
            "history": list_design_history(design),
            "may_decide": is_national_staff(request.user) and design.state == "submitted",
            "decision_form": decision_form or DesignDecisionForm(),
        },
        status=status,
    )


@declare(Access.HUB_STAFF)
def design_detail(request, design_id: int):
    return _render_design(request, _access(request, design_id))


@declare(Access.HUB_STAFF)
@require_POST
def design_submit(request, design_id: int):
    design = _access(request, design_id)
    try:
        submit_local_design(design=design, by=request.user)
    except DesignError as error:
        messages.error(request, error.reason)
    else:
        messages.success(request, _("Sent to national staff. The hub is emailed their decision."))
    return redirect("backoffice:local-design", design_id=design.pk)


@declare(Access.NATIONAL_STAFF)
def design_queue(request):
    return render(
        request,
        "backoffice/designs/queue.html",
        {"designs": list_submitted_local_designs()},
    )


@declare(Access.NATIONAL_STAFF)
@require_POST
def design_decide(request, design_id: int):
    design = _access(request, design_id)
    form = DesignDecisionForm(request.POST)
    if form.is_valid():
        try:
            design = decide_local_design(
                design=design,
                by=request.user,
                decision=form.cleaned_data["decision"],
                comments=form.cleaned_data["comments"],
            )
        except DesignError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("%(title)s: %(state)s. The hub has been emailed.")
                % {"title": design.title, "state": design.get_state_display().lower()},
            )
            return redirect("backoffice:local-design-queue")
    return _render_design(request, design, decision_form=form, status=400)

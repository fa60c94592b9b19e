"""Running an offering: the runner's overview with every participant's progress, registers,
resources, gap tasks and completion.

Facilitators, hub staff and national staff all run offerings, so the pages are declared for
anyone signed in and every one of them fetches its offering through
`access_runnable_offering`, which answers 404 to everyone else.
"""

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.models import Application
from cpdnet.applications.selectors import list_participants
from cpdnet.delivery import selectors, services
from cpdnet.delivery.models import (
    AttendanceStatus,
    Cascade,
    CompletionConfirmation,
    GapTask,
    Resource,
    Submission,
)
from cpdnet.delivery.services import DeliveryError
from cpdnet.delivery.uploads import file_response
from cpdnet.notifications import messages as messaging
from cpdnet.notifications.messages import MessageError
from cpdnet.notifications.models import ParticipantMessage
from cpdnet.programmes.models import Offering, Session
from cpdnet.programmes.selectors import (
    access_runnable_offering,
    access_runnable_session,
    list_runnable_offerings,
)

from .forms import (
    GapTaskForm,
    LibraryResourceForm,
    ParticipantMessageForm,
    RegisterForm,
    ResourceForm,
    UndoCompletionForm,
)

PER_PAGE = 50
# Names listed on a message's preview; the rest are counted.
PREVIEW_NAMES = 30


def _data(request) -> tuple:
    # An empty POST still binds the form, so that it shows what is missing.
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _offering(request, offering_id: int) -> Offering:
    try:
        return access_runnable_offering(request.user, offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering you run has this number") from None


@declare(Access.SIGNED_IN)
def offering_list(request):
    offerings = list_runnable_offerings(request.user).order_by("-starts_on", "id")
    page = Paginator(offerings, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/delivery/offering_list.html",
        {"page": page, "offerings": page.object_list},
    )


@declare(Access.SIGNED_IN)
def offering_run(request, offering_id: int):
    offering = _offering(request, offering_id)
    progress = selectors.get_offering_progress(offering)
    sessions = list(selectors.list_sessions_with_register_counts(offering))
    # Completion is offered only when it can be right: after the last session has ended.
    last_ends_at = max(
        (session.ends_at for session in sessions if not session.is_cancelled), default=None
    )
    return render(
        request,
        "backoffice/delivery/offering_run.html",
        {
            "offering": offering,
            "sessions": sessions,
            "progress": progress,
            "will_complete": [p for p in progress.ready_to_confirm if p.completion.meets_rule],
            "will_not_complete": [
                p for p in progress.ready_to_confirm if not p.completion.meets_rule
            ],
            "last_ends_at": last_ends_at,
            "can_confirm": last_ends_at is not None and last_ends_at <= timezone.now(),
            **_undo_context(selectors.get_latest_completion_confirmation(offering)),
            "undo_hours": settings.COMPLETION_UNDO_HOURS,
        },
    )


def _undo_context(confirmation) -> dict:
    if confirmation is None:
        return {"confirmation": None}
    return {
        "confirmation": confirmation,
        "undo_until": services.undo_deadline(confirmation),
        "undo_refusal": services.undo_refusal(confirmation),
    }


@declare(Access.SIGNED_IN)
@require_POST
def offering_complete(request, offering_id: int):
    offering = _offering(request, offering_id)
    try:
        confirmed = services.confirm_completion(offering=offering, by=request.user)
    except DeliveryError as error:
        messages.error(request, error.reason)
    else:
        messages.success(
            request,
            _("Completion confirmed: %(completed)d completed, %(not_completed)d did not complete.")
            % {"completed": confirmed.completed, "not_completed": confirmed.not_completed},
        )
    return redirect("backoffice:offering-run", offering_id=offering.pk)


@declare(Access.SIGNED_IN)
def completion_undo(request, offering_id: int, confirmation_id: int):
    try:
        confirmation = selectors.access_completion_confirmation(
            request.user, offering_id, confirmation_id
        )
    except (Offering.DoesNotExist, CompletionConfirmation.DoesNotExist):
        raise Http404("No confirmation of an offering you run has this number") from None
    form = UndoCompletionForm(*_data(request)[:1])
    if request.method == "POST" and form.is_valid():
        try:
            undone = services.undo_completion(
                confirmation=confirmation, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _(
                    "Completion undone: %(reopened)d places back to accepted, "
                    "%(withdrawn)d certificates withdrawn. Participants are being emailed."
                )
                % {"reopened": undone.reopened, "withdrawn": undone.certificates_withdrawn},
            )
            return redirect("backoffice:offering-run", offering_id=offering_id)
    return render(
        request,
        "backoffice/delivery/completion_undo.html",
        {
            "offering": confirmation.offering,
            "form": form,
            "places": selectors.list_confirmed_places(confirmation),
            **_undo_context(confirmation),
        },
    )


@declare(Access.SIGNED_IN)
def offering_messages(request, offering_id: int):
    """Write a message, check who gets it and how it reads, then send it."""
    offering = _offering(request, offering_id)
    tasks = offering.gap_tasks.order_by("due_on", "id")
    form = ParticipantMessageForm(*_data(request)[:1], tasks=tasks)
    refusal = messaging.rate_refusal(offering)
    changing = request.POST.get("change") == "yes"  # back from the preview to edit
    if request.method == "POST" and not changing and form.is_valid():
        data = form.cleaned_data
        try:
            audience = messaging.choose_audience(
                offering=offering, kind=data["audience"], task=data["task"]
            )
            if request.POST.get("confirmed") == "yes":
                message = messaging.send_participant_message(
                    offering=offering,
                    by=request.user,
                    audience=audience,
                    subject=data["subject"],
                    body=data["body"],
                    idempotency_key=request.POST.get("idempotency_key", "")[:40]
                    or secrets.token_hex(16),
                )
                messages.success(
                    request,
                    ngettext(
                        "Message sent to %(count)d person.",
                        "Message sent to %(count)d people.",
                        message.recipient_count,
                    )
                    % {"count": message.recipient_count},
                )
                return redirect("backoffice:offering-messages", offering_id=offering.pk)
            return _message_preview(request, offering, form, audience)
        except MessageError as error:
            form.add_error(None, error.reason)
    return render(
        request,
        "backoffice/delivery/messages.html",
        {
            "offering": offering,
            "form": form,
            "rate_refusal": refusal,
            "per_day": settings.PARTICIPANT_MESSAGES_PER_DAY,
            "sent": messaging.list_offering_messages(offering)[:PER_PAGE],
        },
        status=400 if form.errors else 200,
    )


def _message_preview(request, offering, form, audience):
    data = form.cleaned_data
    recipients = list(audience.recipients[: PREVIEW_NAMES + 1])
    count = audience.recipients.count()
    sample = ParticipantMessage(
        offering=offering, sender=request.user, subject=data["subject"], body=data["body"]
    )
    return render(
        request,
        "backoffice/delivery/message_preview.html",
        {
            "offering": offering,
            "form": form,
            "audience": audience,
            "count": count,
            "names": recipients[:PREVIEW_NAMES],
            "more": max(0, count - PREVIEW_NAMES),
            "sample_body": messaging.render_participant_message(sample, recipients[0])
            if recipients
            else "",
            "idempotency_key": secrets.token_hex(16),
        },
    )


@declare(Access.SIGNED_IN)
def participant_detail(request, offering_id: int, application_id: int):
    try:
        participant = selectors.access_runnable_participant(
            request.user, offering_id, application_id
        )
    except (Offering.DoesNotExist, Application.DoesNotExist):
        raise Http404("No participant of an offering you run has this number") from None
    return render(
        request,
        "backoffice/delivery/participant.html",
        {
            "offering": participant.offering,
            "participant": participant,
            "sessions": selectors.list_sessions_for(participant),
            "submissions": participant.submissions.select_related("task").order_by(
                "task__due_on", "id"
            ),
            "final_reflection": selectors.get_final_reflection(participant),
            "cascade": Cascade.objects.filter(application=participant).first(),
            "completion": selectors.get_participant_progress(participant),
        },
    )


def _session(request, offering_id: int, session_id: int) -> Session:
    try:
        return access_runnable_session(request.user, offering_id, session_id)
    except Session.DoesNotExist:
        raise Http404("No session you run has this number") from None


@declare(Access.SIGNED_IN)
def session_register(request, offering_id: int, session_id: int):
    session = _session(request, offering_id, session_id)
    participants = selectors.list_register(session)
    if request.GET.get("sheet") == "print":
        # A paper register to sign in the room, for sessions without a laptop at the door.
        return render(
            request,
            "backoffice/delivery/register_sheet.html",
            {"offering": session.offering, "session": session, "participants": participants},
        )
    prefill = AttendanceStatus.ATTENDED if request.GET.get("prefill") == "attended" else ""
    form = RegisterForm(*_data(request), participants=participants, prefill=prefill)
    not_started = session.starts_at > timezone.now()
    if request.method == "POST" and form.is_valid():
        if not_started and request.POST.get("before_start") != "yes":
            form.add_error(
                None,
                _(
                    "This session has not started yet. Tick the box to confirm you are taking "
                    "the register early, or save it after the session."
                ),
            )
        else:
            try:
                saved = services.save_register(session=session, marks=form.marks(), by=request.user)
            except DeliveryError as error:
                form.add_error(None, error.reason)
            else:
                messages.success(
                    request,
                    _("Register saved: %(marked)d marked, %(corrected)d changed.")
                    % {"marked": saved.marked, "corrected": saved.corrected},
                )
                return redirect("backoffice:offering-run", offering_id=offering_id)
    return render(
        request,
        "backoffice/delivery/register.html",
        {
            "offering": session.offering,
            "session": session,
            "form": form,
            "not_started": not_started,
            "history": selectors.list_attendance_history(session)[:PER_PAGE],
        },
    )


def _library_form(offering: Offering, data=None) -> LibraryResourceForm:
    return LibraryResourceForm(
        data,
        materials=selectors.list_materials_for_offering(offering),
        sessions=offering.sessions.all(),
    )


def _resources_page(request, offering: Offering, *, form, library_form):
    return render(
        request,
        "backoffice/delivery/resources.html",
        {
            "offering": offering,
            "resources": selectors.list_resources(offering),
            "form": form,
            "library_form": library_form,
        },
    )


@declare(Access.SIGNED_IN)
def offering_resources(request, offering_id: int):
    offering = _offering(request, offering_id)
    form = ResourceForm(*_data(request), sessions=offering.sessions.all())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_resource(
                offering=offering,
                by=request.user,
                title=data["title"],
                session=data["session"],
                url=data["url"],
                upload=data["file"],
                is_public=data["is_public"],
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Resource added: %(title)s") % {"title": data["title"]})
            return redirect("backoffice:offering-resources", offering_id=offering.pk)
    return _resources_page(request, offering, form=form, library_form=_library_form(offering))


@declare(Access.SIGNED_IN)
@require_POST
def resource_from_library(request, offering_id: int):
    offering = _offering(request, offering_id)
    library_form = _library_form(offering, request.POST)
    if library_form.is_valid():
        material = library_form.cleaned_data["material"]
        try:
            services.add_library_resource(
                offering=offering,
                by=request.user,
                material=material,
                session=library_form.cleaned_data["session"],
            )
        except DeliveryError as error:
            library_form.add_error(None, error.reason)
        else:
            messages.success(
                request, _("Added from the library: %(title)s") % {"title": material.title}
            )
            return redirect("backoffice:offering-resources", offering_id=offering.pk)
    form = ResourceForm(sessions=offering.sessions.all())
    return _resources_page(request, offering, form=form, library_form=library_form)


@declare(Access.SIGNED_IN)
@require_POST
def resource_delete(request, offering_id: int, resource_id: int):
    offering = _offering(request, offering_id)
    try:
        resource = offering.resources.get(pk=resource_id)
    except Resource.DoesNotExist:
        raise Http404("No resource has this number") from None
    services.delete_resource(resource=resource, by=request.user)
    messages.success(request, _("Resource removed: %(title)s") % {"title": resource.content.title})
    return redirect("backoffice:offering-resources", offering_id=offering.pk)


@declare(Access.SIGNED_IN)
def offering_tasks(request, offering_id: int):
    offering = _offering(request, offering_id)
    form = GapTaskForm(*_data(request), sessions=offering.sessions.all())
    if request.method == "POST" and form.is_valid():
        task = services.set_gap_task(offering=offering, by=request.user, **form.cleaned_data)
        messages.success(request, _("Gap task set: %(title)s") % {"title": task.title})
        return redirect("backoffice:offering-tasks", offering_id=offering.pk)
    return render(
        request,
        "backoffice/delivery/tasks.html",
        {
            "offering": offering,
            "tasks": selectors.list_gap_tasks(offering),
            "participant_count": list_participants(offering.pk).count(),
            "form": form,
        },
    )


@declare(Access.SIGNED_IN)
def task_submissions(request, offering_id: int, task_id: int):
    offering = _offering(request, offering_id)
    try:
        task = selectors.access_gap_task(offering, task_id)
    except GapTask.DoesNotExist:
        raise Http404("No task has this number") from None
    page = Paginator(selectors.list_submissions(task), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/delivery/submissions.html",
        {"offering": offering, "task": task, "page": page, "submissions": page.object_list},
    )


@declare(Access.SIGNED_IN)
def submission_file(request, offering_id: int, submission_id: int):
    try:
        submission = selectors.access_runnable_submission(request.user, offering_id, submission_id)
    except (Offering.DoesNotExist, Submission.DoesNotExist):
        raise Http404("No submission has this number") from None
    return file_response(submission)

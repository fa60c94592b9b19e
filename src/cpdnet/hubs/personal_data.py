"""Personal data in hubs: who asked for a school to work with a different hub, and why."""

from django.db.models import Q

from cpdnet.privacy.registry import Person, PersonalData, RetentionRun, register

from .models import HubChangeRequest, HubChangeRequestStatus, HubSchoolOverride


def _asked_on(request: HubChangeRequest) -> str:
    # The words an approved request leaves on the school's override (hubs.services).
    return f"School asked on {request.created_at:%d %B %Y}"


def _forget(requests) -> None:
    """Take the asker's reason off the overrides their requests led to."""
    for request in requests.exclude(reason="").only("school", "network", "created_at"):
        HubSchoolOverride.objects.filter(
            school_id=request.school_id,
            network_id=request.network_id,
            reason__startswith=_asked_on(request) + ":",
        ).update(reason=_asked_on(request))


@register
class HubChangeRequests(PersonalData):
    key = "hubs.change_requests"
    label = "Requests for a school to work with a different hub"
    fields = (
        "hubs.HubChangeRequest.contact_name",
        "hubs.HubChangeRequest.contact_email",
        "hubs.HubChangeRequest.contact_role",
        "hubs.HubChangeRequest.reason",
        "hubs.HubSchoolOverride.reason",
    )
    retention_period = "hub_change_requests"
    kept_anonymised = (
        "Nothing of a decided request: the school's override (which hub serves it, and since "
        "when) stays."
    )

    def export(self, person: Person) -> dict:
        requests = (
            HubChangeRequest.objects.filter(contact_email__iexact=person.email)
            .select_related("school", "requested_hub")
            .order_by("created_at", "id")
        )
        return {
            "hub_change_requests": [
                {
                    "school": {"urn": request.school.urn, "name": request.school.name},
                    "requested_hub": request.requested_hub.name,
                    "contact_name": request.contact_name,
                    "contact_email": request.contact_email,
                    "contact_role": request.contact_role,
                    "reason": request.reason,
                    "status": request.status,
                    "created_at": request.created_at.isoformat(),
                }
                for request in requests
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        theirs = HubChangeRequest.objects.filter(contact_email__iexact=person.email)
        _forget(theirs)
        # A pending request stays for national staff to decide, without its asker.
        anonymised = theirs.update(contact_name="", contact_email="", contact_role="", reason="")
        return {"hub_change_requests_anonymised": anonymised}

    def apply_retention(self, run: RetentionRun) -> int:
        decided = HubChangeRequest.objects.filter(
            ~Q(status=HubChangeRequestStatus.PENDING),
            decided_at__lt=run.cutoff("hub_change_requests"),
        )

        def delete(batch) -> None:
            _forget(batch)
            batch.delete()

        return run.in_batches(decided, delete)

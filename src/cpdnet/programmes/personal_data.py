"""Personal data in programmes: a participant's private calendar feed, and who proposed,
leads and decided a hub's local design."""

from cpdnet.privacy.registry import Person, PersonalData, register

from .models import CalendarFeed, LocalDesign, LocalDesignTransition
from .selectors import get_calendar_feed


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@register
class CalendarFeeds(PersonalData):
    key = "programmes.calendar_feeds"
    label = "Private calendar feeds of a participant's sessions"
    fields = ("programmes.CalendarFeed.user",)

    def export(self, person: Person) -> dict:
        feed = get_calendar_feed(person.user)
        # The address itself is kept only as a hash, so it cannot be given back.
        return {
            "calendar_feed": (
                {"created_at": _iso(feed.created_at), "revoked_at": _iso(feed.revoked_at)}
                if feed
                else None
            )
        }

    def erase(self, person: Person) -> dict[str, int]:
        deleted, _details = CalendarFeed.objects.filter(user=person.user).delete()
        return {"calendar_feeds_deleted": deleted}


@register
class LocalDesigns(PersonalData):
    key = "programmes.local_designs"
    label = "Local designs a person proposed or is named to lead, and decisions they made"
    fields = (
        "programmes.LocalDesign.created_by",
        "programmes.LocalDesign.lead_name",
        "programmes.LocalDesignTransition.by",
    )
    kept_anonymised = "Each design, its hub, states and dates: the programme it became runs on."

    def export(self, person: Person) -> dict:
        designs = LocalDesign.objects.filter(created_by=person.user).select_related("hub")
        return {
            "local_designs_proposed": [
                {
                    "title": design.title,
                    "hub": design.hub.name,
                    "lead": design.lead_name,
                    "state": design.state,
                    "at": _iso(design.created_at),
                }
                for design in designs.order_by("created_at", "id")
            ],
            "local_design_changes_made": LocalDesignTransition.objects.filter(
                by=person.user
            ).count(),
        }

    def erase(self, person: Person) -> dict[str, int]:
        named = 0
        if person.full_name:
            named = LocalDesign.objects.filter(lead_name__iexact=person.full_name).update(
                lead_name=""
            )
        # `created_by` and `by` keep pointing at the account, which erasure anonymises.
        return {"local_design_leads_blanked": named}

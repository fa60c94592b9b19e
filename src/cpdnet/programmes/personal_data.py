"""Personal data in programmes: a participant's private calendar feed."""

from cpdnet.privacy.registry import Person, PersonalData, register

from .models import CalendarFeed
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

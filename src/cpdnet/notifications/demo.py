"""Demo newsletters: the audiences, a few confirmed subscribers and one sent issue. Safe to
load again (nothing is made or sent twice)."""

from django.db import transaction
from django.utils import timezone

from . import newsletters
from .models import Audience, NewsletterIssue, Subscriber

DEMO_DOMAIN = "demo.example.org"
DEMO_TEACHER = "teacher@example.org"
AUDIENCES = (
    (
        "primary-early-years",
        "Primary and early years round-up",
        "Programmes, webinars and resources for teachers from nursery to Year 6.",
    ),
    (
        "secondary",
        "Secondary round-up",
        "Programmes, webinars and resources for teachers of Years 7 to 13.",
    ),
    ("national", "National newsletter", "News from the national team, once a term."),
)
WELCOME_SUBJECT = "Welcome to the autumn round-up"
WELCOME_BODY = (
    "Welcome to this term's round-up.\n\n"
    "Work Groups for next term are open for applications: find one near you in the programme "
    "catalogue.\n\n"
    "Our webinars need no application: register in a minute and we send you the link to join "
    "shortly before the start."
)


def load_demo_newsletters() -> dict:
    """Load the audiences, subscribe the demo teacher and a few readers, send one issue."""
    audiences = []
    for order, (slug, name, description) in enumerate(AUDIENCES):
        audience, _created = Audience.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "description": description, "display_order": order},
        )
        audiences.append(audience)
    readers = [(DEMO_TEACHER, [audiences[0], audiences[2]])] + [
        (f"reader{number}@{DEMO_DOMAIN}", [audiences[number % 2], audiences[2]])
        for number in range(1, 6)
    ]
    with transaction.atomic():
        for email, chosen in readers:
            subscriber = newsletters.get_subscriber_by_email(email) or Subscriber.objects.create(
                email=email, confirmed_at=timezone.now()
            )
            subscriber.audiences.add(*chosen)
    issue_sent = False
    if not NewsletterIssue.objects.filter(subject=WELCOME_SUBJECT).exists():
        issue = NewsletterIssue.objects.create(
            audience=audiences[2], subject=WELCOME_SUBJECT, body=WELCOME_BODY
        )
        newsletters.send_issue(issue=issue, by=None)
        issue_sent = True
    return {"audiences": len(audiences), "subscribers": len(readers), "issue_sent": issue_sent}

"""Personal data in funding: the reasons staff give about a teacher's bursary, and the
address of whoever entered a school's earlier bank details. Money itself is the school's and
the fund's: invoices, payments and the append-only ledger stay whole (the ledger cannot be
changed, only its `actor` cleared, which the foreign key does)."""

from cpdnet.privacy.registry import Person, PersonalData, register

from .models import BankDetails, Bursary, BursaryTransition, Payment


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@register
class Bursaries(PersonalData):
    key = "funding.bursaries"
    label = "Bursaries for places, and the reasons given as each moved on or was paid back"
    fields = ("funding.BursaryTransition.reason", "funding.Payment.returned_reason")
    kept_anonymised = (
        "Each bursary's amounts, states and dates, and every payment and ledger entry, because "
        "they are the fund's and the school's accounts."
    )
    erase_order = 10

    def export(self, person: Person) -> dict:
        bursaries = (
            Bursary.objects.filter(application__applicant=person.user)
            .select_related("application__offering__programme")
            .prefetch_related("history")
            .order_by("created_at", "id")
        )
        return {
            "bursaries": [
                {
                    "application_id": bursary.application_id,
                    "programme": bursary.application.offering.programme.title,
                    "state": bursary.state,
                    "amount": str(bursary.amount) if bursary.amount is not None else None,
                    "history": [
                        {
                            "from_state": change.from_state,
                            "to_state": change.to_state,
                            "by": "you" if change.by_id == person.user.pk else "staff",
                            "reason": change.reason,
                            "at": _iso(change.created_at),
                        }
                        for change in bursary.history.all()
                    ],
                }
                for bursary in bursaries
            ]
        }

    def erase(self, person: Person) -> dict[str, int]:
        # Staff write these about a claim and name no one by design; blanked to be safe.
        mine = Bursary.objects.filter(application__applicant=person.user)
        reasons = BursaryTransition.objects.filter(bursary__in=mine).exclude(reason="")
        returns = Payment.objects.filter(bursary__in=mine).exclude(returned_reason="")
        return {
            "bursary_reasons_blanked": reasons.update(reason=""),
            "payment_return_reasons_blanked": returns.update(returned_reason=""),
        }


@register
class BankDetailsContacts(PersonalData):
    key = "funding.bank_details_contacts"
    label = "The address told when a school's bank details it had entered were changed"
    fields = ("funding.BankDetails.previous_contact_email",)
    kept_anonymised = (
        "Every version of a school's bank details, and who entered it while they hold an account."
    )
    erase_order = 10

    def erase(self, person: Person) -> dict[str, int]:
        blanked = BankDetails.objects.filter(previous_contact_email__iexact=person.email).update(
            previous_contact_email=""
        )
        return {"bank_details_contacts_blanked": blanked}

"""Each network's own words for its parts, so that its pages read as its own.

One model serves every network; what differs is what a hub is called ("maths hub", "science
learning partnership"), what its lead school is called, the kinds of programme it offers and
the people its programmes are for (science includes technicians).
"""

from dataclasses import dataclass

from cpdnet.accounts.models import JobRole

from .models import Network

# Every network shares the programme kinds' codes; these are their names in a sentence.
KIND_WORDS = {
    "work_group": "Work Groups",
    "course": "courses",
    "residential": "residential courses",
    "webinar": "webinars",
    "accreditation": "accreditation programmes",
}


@dataclass(frozen=True)
class NetworkWords:
    hub: str  # "maths hub"
    hubs: str  # "maths hubs"
    lead_school: str  # "lead school"
    kinds_offered: list[str]
    audiences: list[str]

    @property
    def Hub(self) -> str:  # noqa: N802 (read as the capitalised word in templates)
        return self.hub[:1].upper() + self.hub[1:]

    @property
    def Hubs(self) -> str:  # noqa: N802
        return self.hubs[:1].upper() + self.hubs[1:]

    @property
    def Lead_school(self) -> str:  # noqa: N802
        return self.lead_school[:1].upper() + self.lead_school[1:]


def _codes(value: str) -> list[str]:
    return [code.strip() for code in value.split(",") if code.strip()]


def network_words(network: Network | None) -> NetworkWords:
    """The words of a network; the model's (maths) defaults when there is none."""
    network = network or Network()
    roles = dict(JobRole.choices)
    return NetworkWords(
        hub=network.hub_noun or "hub",
        hubs=network.hub_noun_plural,
        lead_school=network.lead_school_noun,
        kinds_offered=[KIND_WORDS.get(code, code) for code in _codes(network.programme_kinds)],
        audiences=[str(roles.get(code, code)) for code in _codes(network.audiences)],
    )


def network_job_roles(network: Network) -> list[str]:
    """The job-role codes a network's programmes may be aimed at."""
    return _codes(network.audiences)

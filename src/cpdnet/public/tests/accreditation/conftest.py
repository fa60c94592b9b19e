"""The accreditation app's own world (a Leeds cohort, a candidate, assessors, national staff),
shared with the pages built on it."""

from cpdnet.accreditation.tests.conftest import (  # noqa: F401 (fixtures)
    _on_commit_at_once,
    assessor,
    candidacy,
    candidate,
    cohort,
    leeds_hub,
    make_assessor,
    moderator,
    national,
    submitted,
)

"""How an establishment is funded, from its GIAS type and type group.

One function, `classify_establishment`, decides; the importer stores its answer on each school
(`School.funding_category`, and `is_state_funded` derived from it) so that eligibility and reach
filter on an indexed column. The truth table over every GIAS establishment type is
`schools/tests/establishment_funding_cases.csv`.
"""

from .models import FundingCategory

# GIAS type groups whose every type is funded one way.
CATEGORY_BY_GROUP = {
    "Local authority maintained schools": FundingCategory.STATE_SCHOOL,
    "Academies": FundingCategory.ACADEMY,
    # Free schools, university technical colleges and studio schools are academies in law.
    "Free Schools": FundingCategory.ACADEMY,
    # Further education and sixth-form colleges, and sixth form centres: state-funded post-16
    # providers that take part like schools (DESIGN.md, "Establishments").
    "Colleges": FundingCategory.COLLEGE,
    "Independent schools": FundingCategory.INDEPENDENT,
    # Universities, Welsh schools, secure units, offshore and overseas schools, online
    # providers and institutions of other government departments are not England's schools.
    "Universities": FundingCategory.OTHER,
    "Welsh schools": FundingCategory.OTHER,
    "Other types": FundingCategory.OTHER,
    "Online provider": FundingCategory.OTHER,
}
# Types whose group mixes fundings ("Special schools"), and types funded unlike their group.
CATEGORY_BY_TYPE = {
    "Community special school": FundingCategory.STATE_SCHOOL,
    "Foundation special school": FundingCategory.STATE_SCHOOL,
    "Other independent special school": FundingCategory.INDEPENDENT,
    # Charities whose places local authorities buy; not maintained by the state (as before).
    "Non-maintained special school": FundingCategory.OTHER,
    # City technology colleges are independent in law but funded by the state, and the
    # school census counts them as state-funded secondary schools.
    "City technology college": FundingCategory.ACADEMY,
}
# Where GIAS leaves the type blank, the school census type (CensusSchoolType2019) tells.
CATEGORY_BY_CENSUS_TYPE = {
    "State-funded primary": FundingCategory.STATE_SCHOOL,
    "State-funded secondary": FundingCategory.STATE_SCHOOL,
    "State-funded nursery": FundingCategory.STATE_SCHOOL,
    "State-funded special school": FundingCategory.STATE_SCHOOL,
    "Pupil referral unit": FundingCategory.STATE_SCHOOL,
    "Independent school": FundingCategory.INDEPENDENT,
    "Non-maintained special school": FundingCategory.OTHER,
}
# The assembled schools_england.csv marks rows from the 2025 state-funded register extract.
STATE_FUNDED_REGISTER_SOURCES = {"2025-07"}

STATE_FUNDED_CATEGORIES = frozenset(
    {FundingCategory.STATE_SCHOOL, FundingCategory.ACADEMY, FundingCategory.COLLEGE}
)


def classify_establishment(
    *, type_group: str, type_name: str, census_type: str = "", register_source: str = ""
) -> str:
    """Return the FundingCategory of an establishment; NOT_KNOWN when nothing tells."""
    if type_name in CATEGORY_BY_TYPE:
        return CATEGORY_BY_TYPE[type_name]
    if type_group in CATEGORY_BY_GROUP:
        return CATEGORY_BY_GROUP[type_group]
    if census_type in CATEGORY_BY_CENSUS_TYPE:
        return CATEGORY_BY_CENSUS_TYPE[census_type]
    if register_source in STATE_FUNDED_REGISTER_SOURCES:
        return FundingCategory.STATE_SCHOOL
    return FundingCategory.NOT_KNOWN


def is_state_funded(category: str) -> bool | None:
    """Whether a category is state-funded (schools, academies, colleges); None if not known."""
    if category == FundingCategory.NOT_KNOWN:
        return None
    return category in STATE_FUNDED_CATEGORIES

from datetime import date

from ninja import Schema


class HubRef(Schema):
    network: str
    name: str
    slug: str


class SchoolOut(Schema):
    urn: int
    name: str
    status: str
    town: str
    postcode: str
    la_code: str
    la_name: str
    phase: str
    is_state_funded: bool | None
    url: str


class SchoolDetailOut(SchoolOut):
    type_name: str
    type_group: str
    district_code: str
    region_name: str
    pupils: int | None
    percentage_fsm: float | None
    open_date: date | None
    close_date: date | None
    successor_urn: int | None
    hubs: list[HubRef]


class SchoolPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SchoolOut]


class AreaOut(Schema):
    la_code: str
    la_name: str
    district_code: str | None
    district_name: str | None
    basis: str


class HubOut(Schema):
    slug: str
    name: str
    network: str
    region: str
    lead_school_urn: int | None
    lead_school_name: str
    email: str
    phone: str
    website: str
    data_status: str
    url: str


class HubDetailOut(HubOut):
    areas: list[AreaOut]
    areas_note: str
    source: str


class Error(Schema):
    detail: str

"""Build the hub demo data: src/cpdnet/hubs/demo_data/hubs.csv and hub_areas.csv.

    python3 scripts/build_hub_demo_data.py [--data ../shared/data] [--out DIR]

Inputs (read only, from --data, default ../shared/data relative to the repo root):
  maths_hubs_england.csv         33 hand-compiled Maths Hubs (see SOURCES.md there)
  england_lad25_to_la_lookup.csv 296 districts (LAD 2025) -> 153 LAs (DfE code) -> region
  schools_england.csv            GIAS-layout schools list (lead-school URNs, demo SLP leads)

Outputs:
  hubs.csv       network,slug,name,region,lead_school_name,lead_school_urn,status,as_of,source,
                 areas_note,email,website,contact_is_demo
  hub_areas.csv  network,hub_slug,la_code,la_name,district_code,district_name,basis,note

Coverage rule (checked for both networks; the script exits 1 naming any LA that breaks it):
every one of the 153 LAs has either exactly one whole-LA row (district_code blank), or district
rows covering all of its districts, or one whole-LA row plus district rows for some of its
districts that belong to OTHER hubs (a district row overrides the whole-LA row).

`basis` is `source` when the hub's own source lists the area and `assumed` when public data is
silent and we assigned it (the note says why). Everything here is demo data: contacts are made up
(`contact_is_demo` = yes) and the science partnerships are invented, one per region, because no
public list of Science Learning Partnerships was available.

Licence of the inputs: DfE/ONS data, Open Government Licence v3.0 (see SOURCES.md).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT / ".." / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "cpdnet" / "hubs" / "demo_data"

HUB_COLUMNS = [
    "network",
    "slug",
    "name",
    "region",
    "lead_school_name",
    "lead_school_urn",
    "status",
    "as_of",
    "source",
    "areas_note",
    "email",
    "website",
    "contact_is_demo",
]
AREA_COLUMNS = [
    "network",
    "hub_slug",
    "la_code",
    "la_name",
    "district_code",
    "district_name",
    "basis",
    "note",
]

# When two hubs' sources claim the same area, the row with the better status keeps it and the
# other claim is dropped (printed). `historic` rows (2014-2015) predate the 2020 re-drawing of
# hub areas, so a `current` listing always wins over them.
STATUS_RANK = {"current": 0, "current_partial": 1, "historic": 2, "name_only": 3}

# ---------------------------------------------------------------------------------------------
# 1. Source wording -> LAs / districts.
#
# Keyed by (hub_name, token) where token is one item of `areas_served` (split on ";" outside
# parentheses). Each target is (la_name, district_name or None for the whole LA, note); all
# targets here have basis `source`, except the ones under ASSUMED_FROM_SOURCE_WORDING below.
# The script fails if a token in the CSV is missing here, so a changed source gets noticed.
# Names are the LA / district names of england_lad25_to_la_lookup.csv.
# ---------------------------------------------------------------------------------------------
T = tuple[str, str | None, str]
# Hub names exactly as in the CSV (parenthetical remarks included; they are stripped for `name`).
NLC = "North Lancashire and Cumbria Maths Hub (name as reported 2015)"
MATRIX = "Matrix Maths Hub (Matrix Essex and Herts, 2014)"

SOURCE_AREAS: dict[tuple[str, str], list[T]] = {
    # Archimedes: the hub words its area as a region, "Durham and Tees Valley". Tees Valley is
    # the five boroughs of the Tees Valley Combined Authority; with County Durham that is 6 LAs.
    ("Archimedes NE Maths Hub", "Durham and Tees Valley"): [
        (la, None, "source says 'Durham and Tees Valley' (County Durham + the 5 Tees Valley LAs)")
        for la in [
            "County Durham",
            "Darlington",
            "Hartlepool",
            "Middlesbrough",
            "Redcar and Cleveland",
            "Stockton-on-Tees",
        ]
    ],
    ("North West One Maths Hub", "Bury"): [("Bury", None, "")],
    ("North West One Maths Hub", "Manchester"): [("Manchester", None, "")],
    ("North West One Maths Hub", "Oldham"): [("Oldham", None, "")],
    ("North West One Maths Hub", "Rochdale"): [("Rochdale", None, "")],
    ("North West One Maths Hub", "Stockport"): [("Stockport", None, "")],
    ("North West Three Maths Hub", "Knowsley"): [("Knowsley", None, "")],
    ("North West Three Maths Hub", "Liverpool"): [("Liverpool", None, "")],
    ("North West Three Maths Hub", "Sefton"): [("Sefton", None, "")],
    # "St Helens" in the source; the lookup spells it "St. Helens".
    ("North West Three Maths Hub", "St Helens"): [("St. Helens", None, "")],
    ("North West Three Maths Hub", "Wigan"): [("Wigan", None, "")],
    ("Abacus NW Maths Hub", "Blackburn with Darwen"): [("Blackburn with Darwen", None, "")],
    ("Abacus NW Maths Hub", "Blackpool"): [("Blackpool", None, "")],
    # "parts of Lancashire": Abacus gets the whole-LA row; the north Lancashire districts claimed
    # by North Lancashire and Cumbria (below) override it with district rows.
    ("Abacus NW Maths Hub", "parts of Lancashire"): [
        (
            "Lancashire",
            None,
            "source says 'parts of Lancashire'; the north Lancashire districts "
            "are overridden by North Lancashire and Cumbria (district rows)",
        ),
    ],
    ("Cheshire and Wirral Maths Hub", "Cheshire East"): [("Cheshire East", None, "")],
    ("Cheshire and Wirral Maths Hub", "Cheshire West and Chester"): [
        ("Cheshire West and Chester", None, ""),
    ],
    ("Cheshire and Wirral Maths Hub", "Halton"): [("Halton", None, "")],
    ("Cheshire and Wirral Maths Hub", "Wirral"): [("Wirral", None, "")],
    # Cumbria (2015) was abolished in 2023 and split into Cumberland and Westmorland and
    # Furness; both successors inherit the claim. No current row claims either.
    (NLC, "Cumbria"): [
        (
            la,
            None,
            "source (2015) says 'Cumbria', split in 2023 into Cumberland and "
            "Westmorland and Furness",
        )
        for la in ["Cumberland", "Westmorland and Furness"]
    ],
    # "north Lancashire": Lancaster district is where the lead school (Lancaster Royal Grammar
    # School) is, so it is certainly meant -> source. Wyre and Ribble Valley are our reading of
    # "north" (the northern districts bordering Lancaster / the Bowland fells) -> assumed (see
    # ASSUMED_FROM_SOURCE_WORDING).
    (NLC, "north Lancashire"): [
        (
            "Lancashire",
            "Lancaster",
            "source says 'north Lancashire'; the lead school is in Lancaster district",
        ),
        (
            "Lancashire",
            "Wyre",
            "source says only 'north Lancashire'; Wyre read as part of it; assumed",
        ),
        (
            "Lancashire",
            "Ribble Valley",
            "source says only 'north Lancashire'; Ribble Valley read as part of it; assumed",
        ),
    ],
    ("Yorkshire and the Humber Maths Hub", "Kirklees"): [("Kirklees", None, "")],
    ("Yorkshire and the Humber Maths Hub", "Wakefield"): [("Wakefield", None, "")],
    ("Yorkshire and the Humber Maths Hub", "Hull"): [
        ("Kingston upon Hull, City of", None, "source says 'Hull'"),
    ],
    ("Yorkshire and the Humber Maths Hub", "North Lincolnshire"): [
        ("North Lincolnshire", None, ""),
    ],
    ("Yorkshire and the Humber Maths Hub", "North East Lincolnshire"): [
        ("North East Lincolnshire", None, ""),
    ],
    ("West Yorkshire Maths Hub", "Bradford"): [("Bradford", None, "")],
    ("West Yorkshire Maths Hub", "Calderdale"): [("Calderdale", None, "")],
    ("West Yorkshire Maths Hub", "Leeds"): [("Leeds", None, "")],
    ("South Yorkshire Maths Hub", "Barnsley"): [("Barnsley", None, "")],
    ("South Yorkshire Maths Hub", "Doncaster"): [("Doncaster", None, "")],
    ("South Yorkshire Maths Hub", "Rotherham"): [("Rotherham", None, "")],
    ("South Yorkshire Maths Hub", "Sheffield"): [("Sheffield", None, "")],
    ("East Midlands West Maths Hub", "Derbyshire"): [("Derbyshire", None, "")],
    ("East Midlands West Maths Hub", "Derby"): [("Derby", None, "")],
    ("East Midlands West Maths Hub", "Nottingham"): [("Nottingham", None, "")],
    # Ashfield and Broxtowe are districts of Nottinghamshire: district rows. The other five
    # Nottinghamshire districts are assigned in ASSUMED_AREAS.
    ("East Midlands West Maths Hub", "Ashfield (Nottinghamshire district)"): [
        ("Nottinghamshire", "Ashfield", ""),
    ],
    ("East Midlands West Maths Hub", "Broxtowe (Nottinghamshire district)"): [
        ("Nottinghamshire", "Broxtowe", ""),
    ],
    # The page lists all 7 Leicestershire districts, i.e. the whole county: one whole-LA row.
    (
        "East Midlands South Maths Hub",
        "Leicestershire (Blaby; Charnwood; Harborough; Hinckley and Bosworth; Melton; "
        "North West Leicestershire; Oadby and Wigston)",
    ): [
        ("Leicestershire", None, "source lists all 7 Leicestershire districts"),
    ],
    # Corby, East Northamptonshire, Kettering and Wellingborough (pre-2021 districts) are exactly
    # the area that became North Northamptonshire in April 2021.
    (
        "East Midlands South Maths Hub",
        "Northamptonshire (Corby; East Northamptonshire; Kettering; Wellingborough)",
    ): [
        (
            "North Northamptonshire",
            None,
            "source lists the pre-2021 districts Corby, East "
            "Northamptonshire, Kettering and Wellingborough, "
            "which form North Northamptonshire since 2021",
        ),
    ],
    ("East Midlands South Maths Hub", "Leicester"): [("Leicester", None, "")],
    ("East Midlands South Maths Hub", "Rutland"): [("Rutland", None, "")],
    ("Central Maths Hub", "Birmingham"): [("Birmingham", None, "")],
    ("Central Maths Hub", "Dudley"): [("Dudley", None, "")],
    ("Central Maths Hub", "Sandwell"): [("Sandwell", None, "")],
    ("Origin Maths Hub", "Coventry"): [("Coventry", None, "")],
    ("Origin Maths Hub", "Solihull"): [("Solihull", None, "")],
    # Origin lists all 5 Warwickshire districts = the whole county. Mapped token by token onto
    # one whole-LA row (the first token creates it; repeats for the same hub are skipped).
    **{
        ("Origin Maths Hub", d): [
            ("Warwickshire", None, "source lists all 5 Warwickshire districts")
        ]
        for d in [
            "North Warwickshire",
            "Nuneaton and Bedworth",
            "Rugby",
            "Stratford-on-Avon",
            "Warwick",
        ]
    },
    # "Cambridge" (the city district) lies inside Cambridgeshire, which is listed too.
    ("Cambridge Maths Hub", "Cambridge"): [
        ("Cambridgeshire", None, "source lists 'Cambridge' and 'Cambridgeshire'"),
    ],
    ("Cambridge Maths Hub", "Cambridgeshire"): [
        ("Cambridgeshire", None, "source lists 'Cambridge' and 'Cambridgeshire'"),
    ],
    # West Suffolk and King's Lynn and West Norfolk are districts of Suffolk / Norfolk.
    ("Cambridge Maths Hub", "West Suffolk"): [("Suffolk", "West Suffolk", "")],
    ("Cambridge Maths Hub", "King's Lynn and West Norfolk"): [
        ("Norfolk", "King's Lynn and West Norfolk", ""),
    ],
    ("Cambridge Maths Hub", "Peterborough"): [("Peterborough", None, "")],
    ("Enigma Maths Hub", "Bedford"): [("Bedford", None, "")],
    ("Enigma Maths Hub", "Central Bedfordshire"): [("Central Bedfordshire", None, "")],
    ("Enigma Maths Hub", "Luton"): [("Luton", None, "")],
    ("Enigma Maths Hub", "Milton Keynes"): [("Milton Keynes", None, "")],
    # Matrix (2014): Hertfordshire is still the Matrix heartland -> source (2014 listing).
    # Central Bedfordshire is claimed by current Enigma -> this historic claim is dropped.
    # Essex, Southend and Thurrock got their own hub in 2020 (announced by NCETM 2019-04-02,
    # name unknown, not in the file), so the 2014 listing no longer counts as a source for them:
    # they are mapped to null here and re-assigned to Matrix as `assumed` in ASSUMED_AREAS.
    (MATRIX, "Hertfordshire"): [
        ("Hertfordshire", None, "source is the 2014 launch listing"),
    ],
    (MATRIX, "Central Bedfordshire"): [
        ("Central Bedfordshire", None, "2014 listing"),
    ],
    (MATRIX, "Essex"): [],
    (MATRIX, "Southend"): [],
    (MATRIX, "Thurrock"): [],
    # "Buckinghamshire (districts)": the old Bucks districts, now the single Buckinghamshire
    # unitary (2020).
    ("Bucks, Berks and Oxon Maths Hub", "Buckinghamshire (districts)"): [
        (
            "Buckinghamshire",
            None,
            "source says 'Buckinghamshire (districts)'; one unitary council since 2020",
        ),
    ],
    ("Bucks, Berks and Oxon Maths Hub", "Oxfordshire"): [("Oxfordshire", None, "")],
    ("Bucks, Berks and Oxon Maths Hub", "Slough"): [("Slough", None, "")],
    ("Bucks, Berks and Oxon Maths Hub", "Windsor and Maidenhead"): [
        ("Windsor and Maidenhead", None, ""),
    ],
    ("Moebius Maths Hub", "Bracknell Forest"): [("Bracknell Forest", None, "")],
    ("Moebius Maths Hub", "Reading"): [("Reading", None, "")],
    ("Moebius Maths Hub", "Swindon"): [("Swindon", None, "")],
    ("Moebius Maths Hub", "West Berkshire"): [("West Berkshire", None, "")],
    ("Moebius Maths Hub", "Wiltshire"): [("Wiltshire", None, "")],
    ("Moebius Maths Hub", "Wokingham"): [("Wokingham", None, "")],
    ("Solent Maths Hub", "Portsmouth"): [("Portsmouth", None, "2014 listing")],
    ("Solent Maths Hub", "Isle of Wight"): [("Isle of Wight", None, "2014 listing")],
    ("Solent Maths Hub", "Southampton"): [("Southampton", None, "2014 listing")],
    # "most of Hampshire": whole-LA row; the north-east corner (Hart, Rushmoor) is assumed to go
    # to Moebius (ASSUMED_AREAS) and overrides it.
    ("Solent Maths Hub", "most of Hampshire"): [
        (
            "Hampshire",
            None,
            "source (2014) says 'most of Hampshire'; Hart and Rushmoor are "
            "overridden (assumed Moebius)",
        ),
    ],
    ("Kent and Medway Maths Hub", "Kent"): [("Kent", None, "")],
    ("Kent and Medway Maths Hub", "Medway"): [("Medway", None, "")],
    ("London Central and North West Maths Hub", "Barnet"): [("Barnet", None, "")],
    ("London Central and North West Maths Hub", "Camden"): [("Camden", None, "")],
    ("London Central and North West Maths Hub", "Enfield"): [("Enfield", None, "")],
    ("London Central and North West Maths Hub", "Haringey"): [("Haringey", None, "")],
    ("London Central and North West Maths Hub", "Islington"): [("Islington", None, "")],
    ("London Central and North West Maths Hub", "Westminster"): [("Westminster", None, "")],
    ("London Central and West Maths Hub", "Brent"): [("Brent", None, "")],
    ("London Central and West Maths Hub", "Ealing"): [("Ealing", None, "")],
    ("London Central and West Maths Hub", "Hammersmith and Fulham"): [
        ("Hammersmith and Fulham", None, ""),
    ],
    ("London Central and West Maths Hub", "Harrow"): [("Harrow", None, "")],
    ("London Central and West Maths Hub", "Hillingdon"): [("Hillingdon", None, "")],
    ("London Central and West Maths Hub", "Hounslow"): [("Hounslow", None, "")],
    ("London Central and West Maths Hub", "Kensington and Chelsea"): [
        ("Kensington and Chelsea", None, ""),
    ],
    ("London North East Maths Hub", "Barking and Dagenham"): [
        ("Barking and Dagenham", None, ""),
    ],
    ("London North East Maths Hub", "Hackney"): [("Hackney", None, "")],
    ("London North East Maths Hub", "Havering"): [("Havering", None, "")],
    ("London North East Maths Hub", "Newham"): [("Newham", None, "")],
    ("London North East Maths Hub", "Redbridge"): [("Redbridge", None, "")],
    ("London North East Maths Hub", "Waltham Forest"): [("Waltham Forest", None, "")],
    ("London South East Plus Maths Hub", "Bexley"): [("Bexley", None, "")],
    ("London South East Plus Maths Hub", "City of London"): [("City of London", None, "")],
    ("London South East Plus Maths Hub", "Greenwich"): [("Greenwich", None, "")],
    ("London South East Plus Maths Hub", "Lewisham"): [("Lewisham", None, "")],
    ("London South East Plus Maths Hub", "Southwark"): [("Southwark", None, "")],
    ("London South East Plus Maths Hub", "Tower Hamlets"): [("Tower Hamlets", None, "")],
    ("London South West Maths Hub", "Kingston upon Thames"): [
        ("Kingston upon Thames", None, ""),
    ],
    ("London South West Maths Hub", "Merton"): [("Merton", None, "")],
    ("London South West Maths Hub", "Richmond upon Thames"): [
        ("Richmond upon Thames", None, ""),
    ],
    ("London South West Maths Hub", "Sutton"): [("Sutton", None, "")],
    ("London South West Maths Hub", "Wandsworth"): [("Wandsworth", None, "")],
    ("London Thames Maths Hub", "Bromley"): [("Bromley", None, "")],
    ("London Thames Maths Hub", "Croydon"): [("Croydon", None, "")],
    ("London Thames Maths Hub", "Lambeth"): [("Lambeth", None, "")],
    ("Boolean Maths Hub", "Bath and North East Somerset"): [
        ("Bath and North East Somerset", None, ""),
    ],
    ("Boolean Maths Hub", "Bristol, City of"): [("Bristol, City of", None, "")],
    ("Boolean Maths Hub", "North Somerset"): [("North Somerset", None, "")],
    ("Boolean Maths Hub", "Somerset"): [("Somerset", None, "")],
    ("Boolean Maths Hub", "South Gloucestershire"): [("South Gloucestershire", None, "")],
    # GLOW (2015) = Gloucestershire, Oxfordshire, Worcestershire. Oxfordshire is now listed by
    # the current Bucks, Berks and Oxon hub -> the historic GLOW claim is dropped (STATUS_RANK).
    ("GLOW Maths Hub", "Gloucestershire"): [("Gloucestershire", None, "2015 listing")],
    ("GLOW Maths Hub", "Oxfordshire"): [("Oxfordshire", None, "2015 listing")],
    ("GLOW Maths Hub", "Worcestershire"): [("Worcestershire", None, "2015 listing")],
}

# Source-derived targets whose link to the wording is our reading, not the source's words.
ASSUMED_FROM_SOURCE_WORDING = {
    (NLC, "Lancashire", "Wyre"),
    (NLC, "Lancashire", "Ribble Valley"),
}

# ---------------------------------------------------------------------------------------------
# 2. Areas no source in the file covers: each assigned by hand to the nearest plausible hub in
# the file, basis `assumed`. (hub_name, la_name, district_name or None, note). The missing hubs
# (no row in the CSV, see SOURCES.md) are named in the notes where we stand in for them.
# ---------------------------------------------------------------------------------------------
ASSUMED_AREAS: list[tuple[str, str, str | None, str]] = [
    # North East: Great North (Tyneside-based, areas not found) takes Tyne and Wear plus
    # Northumberland, the part of the region Archimedes does not list.
    *[
        (
            "Great North Maths Hub",
            la,
            None,
            "rest of North East not listed by Archimedes; Great North is the region's other hub; "
            "assumed",
        )
        for la in [
            "Northumberland",
            "Newcastle upon Tyne",
            "Gateshead",
            "North Tyneside",
            "South Tyneside",
            "Sunderland",
        ]
    ],
    # Greater Manchester boroughs not listed by NW One / NW Three: Turing NW's lead school is in
    # Sale (Trafford), so Trafford and its neighbours Salford, Bolton and Warrington go there;
    # Tameside borders Oldham and Stockport (NW One).
    (
        "Turing NW Maths Hub",
        "Trafford",
        None,
        "lead school is in Sale, Trafford; areas not stated; assumed",
    ),
    (
        "Turing NW Maths Hub",
        "Salford",
        None,
        "unlisted Greater Manchester borough next to Trafford; assumed",
    ),
    (
        "Turing NW Maths Hub",
        "Bolton",
        None,
        "unlisted Greater Manchester borough next to Salford; assumed",
    ),
    (
        "Turing NW Maths Hub",
        "Warrington",
        None,
        "not listed by any hub in the file; borders Trafford; assumed",
    ),
    (
        "North West One Maths Hub",
        "Tameside",
        None,
        "unlisted Greater Manchester borough between Oldham and Stockport; assumed",
    ),
    # Yorkshire Ridings (Harrogate lead, "Ridings") states no areas: the Yorkshire LAs no
    # current hub lists.
    *[
        (
            "Yorkshire Ridings Maths Hub",
            la,
            None,
            "not listed by any current hub; lead school in Harrogate (North Yorkshire); assumed",
        )
        for la in ["North Yorkshire", "York", "East Riding of Yorkshire"]
    ],
    # Nottinghamshire: Ashfield and Broxtowe are East Midlands West by source. East Midlands East
    # (not in the file) would cover the rest. Bassetlaw (north Notts, former Sheffield City Region
    # member, borders Doncaster/Rotherham) -> South Yorkshire; the Nottingham commuter districts
    # -> East Midlands West, whose lead school is in Nottinghamshire.
    (
        "South Yorkshire Maths Hub",
        "Nottinghamshire",
        "Bassetlaw",
        "borders Doncaster, Rotherham and Sheffield; East Midlands East hub not in file; assumed",
    ),
    *[
        (
            "East Midlands West Maths Hub",
            "Nottinghamshire",
            d,
            "rest of Nottinghamshire next to Nottingham; East Midlands East hub not in file; "
            "assumed",
        )
        for d in ["Gedling", "Mansfield", "Newark and Sherwood", "Rushcliffe"]
    ],
    # Lincolnshire: the other half of the missing East Midlands East hub; goes with most of
    # Nottinghamshire to East Midlands West.
    (
        "East Midlands West Maths Hub",
        "Lincolnshire",
        None,
        "East Midlands East hub not in file; nearest hub in region; assumed",
    ),
    # West Northamptonshire: East Midlands South lists the rest of old Northamptonshire.
    (
        "East Midlands South Maths Hub",
        "West Northamptonshire",
        None,
        "hub lists the other half of old Northamptonshire; assumed",
    ),
    # Black Country boroughs not listed: next to Dudley and Sandwell (Central).
    ("Central Maths Hub", "Walsall", None, "borders Sandwell and Birmingham; assumed"),
    ("Central Maths Hub", "Wolverhampton", None, "borders Dudley and Sandwell; assumed"),
    # Staffordshire hub (Painsley, Cheadle, 2014; name unknown) is not in the file. Staffordshire
    # goes to Central (borders Birmingham, Walsall, Wolverhampton) except the north: Stoke,
    # Newcastle-under-Lyme and Staffordshire Moorlands are next to Alsager (Cheshire East), the
    # Cheshire and Wirral lead school.
    (
        "Central Maths Hub",
        "Staffordshire",
        None,
        "Staffordshire hub not in file; borders Birmingham and the Black Country; assumed",
    ),
    (
        "Cheshire and Wirral Maths Hub",
        "Staffordshire",
        "Newcastle-under-Lyme",
        "north Staffordshire, next to the hub's lead school at Alsager; assumed",
    ),
    (
        "Cheshire and Wirral Maths Hub",
        "Staffordshire",
        "Staffordshire Moorlands",
        "north Staffordshire, borders Cheshire East; assumed",
    ),
    (
        "Cheshire and Wirral Maths Hub",
        "Stoke-on-Trent",
        None,
        "Staffordshire hub not in file; the hub's lead school at Alsager is next to Stoke; assumed",
    ),
    # Salop and Herefordshire hub not in the file: GLOW's Worcestershire borders Shropshire and
    # Herefordshire; Telford kept with Shropshire.
    *[
        (
            "GLOW Maths Hub",
            la,
            None,
            "Salop and Herefordshire hub not in file; nearest hub (Worcestershire); assumed",
        )
        for la in ["Herefordshire, County of", "Shropshire", "Telford and Wrekin"]
    ],
    # Norfolk and Suffolk (Angles hub, not in the file): Cambridge already lists their western
    # districts; the rest goes to it as the only East Anglian hub in the file.
    *[
        (
            "Cambridge Maths Hub",
            "Norfolk",
            d,
            "Angles hub (Norfolk/Suffolk) not in file; hub lists King's Lynn and West Norfolk; "
            "assumed",
        )
        for d in [
            "Breckland",
            "Broadland",
            "Great Yarmouth",
            "North Norfolk",
            "Norwich",
            "South Norfolk",
        ]
    ],
    *[
        (
            "Cambridge Maths Hub",
            "Suffolk",
            d,
            "Angles hub (Norfolk/Suffolk) not in file; hub lists West Suffolk; assumed",
        )
        for d in ["Babergh", "Ipswich", "Mid Suffolk", "East Suffolk"]
    ],
    # Essex, Southend, Thurrock: listed by Matrix only in 2014; the 2020 Essex hub is not in the
    # file, so Matrix is the nearest hub that ever served them.
    *[
        (
            MATRIX,
            la,
            None,
            "listed by Matrix in 2014 only; the 2020 Essex/Southend/Thurrock hub is not in file; "
            "assumed",
        )
        for la in ["Essex", "Southend-on-Sea", "Thurrock"]
    ],
    # Hampshire's north-east corner ("most of Hampshire" leaves some out): Hart and Rushmoor
    # border Wokingham/Bracknell Forest -> Moebius.
    (
        "Moebius Maths Hub",
        "Hampshire",
        "Hart",
        "Solent covers 'most of Hampshire'; north-east corner next to Wokingham; assumed",
    ),
    (
        "Moebius Maths Hub",
        "Hampshire",
        "Rushmoor",
        "Solent covers 'most of Hampshire'; north-east corner next to Bracknell Forest; assumed",
    ),
    # Sussex hub: areas not stated, but its strategic board has East Sussex, West Sussex and
    # Brighton and Hove council advisers.
    *[
        (
            "Sussex Maths Hub",
            la,
            None,
            "areas not stated; strategic board includes this council's adviser; assumed",
        )
        for la in ["East Sussex", "West Sussex", "Brighton and Hove"]
    ],
    # Surrey Plus hub not in the file: London South West (Kingston, Sutton, Richmond) borders
    # Surrey along most of its northern edge.
    (
        "London South West Maths Hub",
        "Surrey",
        None,
        "Surrey Plus hub not in file; borders Kingston, Richmond and Sutton; assumed",
    ),
    # South West peninsula: Cornwall and West Devon hub not in the file; Jurassic (Lyme Regis,
    # bid partners in Dorset and Devon) is the only South West hub left.
    *[
        (
            "Jurassic Maths Hub",
            la,
            None,
            "areas not stated; bid partners were in Dorset and Devon; assumed",
        )
        for la in ["Dorset", "Bournemouth, Christchurch and Poole", "Devon", "Torbay"]
    ],
    *[
        (
            "Jurassic Maths Hub",
            la,
            None,
            "Cornwall and West Devon hub not in file; nearest hub in region; assumed",
        )
        for la in ["Plymouth", "Cornwall", "Isles of Scilly"]
    ],
]

# ---------------------------------------------------------------------------------------------
# 3. Lead schools. hub_name -> (name as it appears in schools_england.csv, place) or None.
# A URN is written only if exactly one OPEN school has that (normalised) name and its Town or
# LA name equals `place`. Where the source names two lead schools, the first is used.
# ---------------------------------------------------------------------------------------------
LEAD_SCHOOLS: dict[str, tuple[str, str] | None] = {
    "Archimedes NE Maths Hub": ("Carmel College", "Darlington"),
    "Great North Maths Hub": None,  # no lead school in source
    # Source gives no town; the register has it in Altrincham (Trafford).
    "North West One Maths Hub": ("Altrincham Grammar School for Girls", "Altrincham"),
    # Register spelling is hyphenated: "Ashton-on-Mersey School", Sale.
    "Turing NW Maths Hub": ("Ashton-on-Mersey School", "Sale"),
    # Register: "St Mary & St Thomas CofE Primary School", St Helens.
    "North West Three Maths Hub": ("St Mary & St Thomas CofE Primary School", "St Helens"),
    # First lead: Cardinal Newman College, Preston (sixth-form college). It has no open status
    # in the register (2022 list only), so no URN; we do not fall back to the second school.
    "Abacus NW Maths Hub": ("Cardinal Newman College", "Preston"),
    # Alsager School is in Cheshire East (postal town Stoke-on-Trent).
    "Cheshire and Wirral Maths Hub": ("Alsager School", "Cheshire East"),
    # First of the three 2015 schools.
    NLC: ("Lancaster Royal Grammar School", "Lancaster"),
    "Yorkshire Ridings Maths Hub": ("Harrogate Grammar School", "Harrogate"),
    # No town in source; the school is in Wakefield, one of the hub's listed areas.
    "Yorkshire and the Humber Maths Hub": ("Outwood Primary Academy Lofthouse Gate", "Wakefield"),
    # Register name includes the town: "Trinity Academy Halifax".
    "West Yorkshire Maths Hub": ("Trinity Academy Halifax", "Halifax"),
    "South Yorkshire Maths Hub": ("Notre Dame High School", "Sheffield"),
    "East Midlands West Maths Hub": ("George Spencer Academy", "Nottinghamshire"),
    # Oadby is in Leicestershire LA (postal town Leicester).
    "East Midlands South Maths Hub": ("Beauchamp College", "Leicestershire"),
    "Central Maths Hub": ("Bishop Challoner Catholic College", "Birmingham"),
    "Origin Maths Hub": ("Tudor Grange Academy, Solihull", "Solihull"),
    # First of the two joint leads.
    "Cambridge Maths Hub": ("Cambourne Village College", "Cambridgeshire"),
    "Enigma Maths Hub": ("Denbigh School", "Milton Keynes"),
    # Register name has the suffix "and Science College".
    MATRIX: ("The Hertfordshire & Essex High School and Science College", "Bishop's Stortford"),
    "Bucks, Berks and Oxon Maths Hub": ("Wycombe High School", "High Wycombe"),
    # Burghfield is in West Berkshire (postal town Reading).
    "Moebius Maths Hub": ("The Willink School", "West Berkshire"),
    # "The Mary Rose Academy" (2014) = register "Mary Rose Academy", Portsmouth (special school).
    "Solent Maths Hub": ("Mary Rose Academy", "Portsmouth"),
    "Sussex Maths Hub": None,  # no lead school in source
    "Kent and Medway Maths Hub": None,  # no lead school in source
    # "CE" in the source, "CofE" in the register (normalised alike).
    "London Central and North West Maths Hub": ("The St Marylebone CE School", "Westminster"),
    "London Central and West Maths Hub": ("Fox Primary School", "Kensington and Chelsea"),
    "London North East Maths Hub": ("Elmhurst Primary School", "Newham"),
    # Converted to an academy: register name "Redriff Primary, City of London Academy".
    "London South East Plus Maths Hub": ("Redriff Primary, City of London Academy", "Southwark"),
    # First of the two leads; the Wandsworth Belleville Primary School.
    "London South West Maths Hub": ("Belleville Primary School", "Wandsworth"),
    # No place in source; the register puts it in Croydon, one of the hub's listed areas.
    "London Thames Maths Hub": ("Harris City Academy Crystal Palace", "Croydon"),
    "Boolean Maths Hub": ("Bristol Metropolitan Academy", "Bristol"),
    "GLOW Maths Hub": ("Balcarras School", "Cheltenham"),
    "Jurassic Maths Hub": ("The Woodroffe School", "Lyme Regis"),
}

SCIENCE_SOURCE = "demo data: no public list of science learning partnerships was available"
SCIENCE_NOTE = "demo: one partnership per region"


# ---------------------------------------------------------------------------------------------
def kebab(text: str) -> str:
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def clean_hub_name(raw: str) -> tuple[str, str]:
    """Strip parenthetical remarks: ("Matrix Maths Hub (Matrix ..., 2014)") -> name, remark."""
    remarks = re.findall(r"\(([^)]*)\)", raw)
    name = re.sub(r"\s*\([^)]*\)", "", raw).strip()
    return name, "; ".join(remarks)


def split_areas(text: str) -> list[str]:
    """Split `areas_served` on ';' outside parentheses."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == ";" and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def norm_name(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = ["cofe" if w in ("ce", "cofe") else w for w in words]
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


class Geography:
    def __init__(self, rows: list[dict[str, str]]) -> None:
        self.la_by_name: dict[str, dict[str, str]] = {}
        self.districts: dict[str, dict[str, str]] = defaultdict(dict)  # la_code -> {name: code}
        self.district_name: dict[str, str] = {}
        for row in rows:
            la = {"code": row["la_code_dfe"], "name": row["la_name"], "region": row["region_name"]}
            self.la_by_name.setdefault(row["la_name"], la)
            self.districts[row["la_code_dfe"]][row["lad_name"]] = row["lad25_code"]
            self.district_name[row["lad25_code"]] = row["lad_name"]
        self.las = sorted(self.la_by_name.values(), key=lambda la: (la["region"], la["name"]))
        self.regions = sorted({la["region"] for la in self.las})

    def resolve(self, la_name: str, district: str | None) -> tuple[dict[str, str], str, str]:
        if la_name not in self.la_by_name:
            sys.exit(f"mapping error: unknown LA name {la_name!r}")
        la = self.la_by_name[la_name]
        if district is None:
            return la, "", ""
        if district not in self.districts[la["code"]]:
            sys.exit(f"mapping error: {district!r} is not a district of {la_name}")
        return la, self.districts[la["code"]][district], district


def match_lead_school(schools: list[dict[str, str]], spec: tuple[str, str] | None) -> str:
    if spec is None:
        return ""
    name, place = norm_name(spec[0]), norm_name(spec[1])
    hits = [
        s
        for s in schools
        if s["EstablishmentStatus (name)"] == "Open"
        and norm_name(s["EstablishmentName"]) == name
        and place in (norm_name(s["Town"] or "-"), norm_name(s["LA (name)"] or "-"))
    ]
    return hits[0]["URN"] if len(hits) == 1 else ""


def build_maths(hub_rows, geo: Geography, schools):
    hubs, claims = [], {}  # claims: (la_code, district_code) -> area row + rank
    dropped, problems = [], []
    names_in_csv = {row["hub_name"] for row in hub_rows}
    mapped = {*LEAD_SCHOOLS, *(k[0] for k in SOURCE_AREAS), *(a[0] for a in ASSUMED_AREAS)}
    for key in sorted(mapped):
        if key not in names_in_csv:
            problems.append(f"mapping names a hub not in maths_hubs_england.csv: {key!r}")
    slug_of: dict[str, str] = {}
    for row in hub_rows:
        raw = row["hub_name"]
        name, remark = clean_hub_name(raw)
        slug = kebab(name)
        slug_of[raw] = slug
        note = row["areas_note"]
        if remark:
            note = f"hub name in source: '{raw}'; {note}"
        if raw not in LEAD_SCHOOLS:
            problems.append(f"no LEAD_SCHOOLS entry for {raw!r}")
        urn = match_lead_school(schools, LEAD_SCHOOLS.get(raw))
        hubs.append(
            {
                "network": "maths",
                "slug": slug,
                "name": name,
                "region": row["region"],
                "lead_school_name": row["lead_school"],
                "lead_school_urn": urn,
                "status": row["status"],
                "as_of": row["as_of"],
                "source": row["source"],
                "areas_note": note,
                "email": f"hello@{slug}.example.org",
                "website": "",
                "contact_is_demo": "yes",
            }
        )
        rank = STATUS_RANK[row["status"]]
        for token in split_areas(row["areas_served"]):
            if (raw, token) not in SOURCE_AREAS:
                problems.append(f"{raw}: no mapping for area token {token!r}")
                continue
            for la_name, district, note_text in SOURCE_AREAS[(raw, token)]:
                la, dcode, dname = geo.resolve(la_name, district)
                basis = (
                    "assumed"
                    if (raw, la_name, district) in ASSUMED_FROM_SOURCE_WORDING
                    else "source"
                )
                if basis == "source" and not note_text:
                    note_text = f"source lists '{token}'"
                area = {
                    "network": "maths",
                    "hub_slug": slug,
                    "la_code": la["code"],
                    "la_name": la["name"],
                    "district_code": dcode,
                    "district_name": dname,
                    "basis": basis,
                    "note": note_text,
                }
                key = (la["code"], dcode)
                if key in claims:
                    other = claims[key]
                    if other["hub_slug"] == slug:  # same hub, same area (e.g. Warwickshire)
                        continue
                    if other["_rank"] == rank:
                        problems.append(
                            f"{la['name']} {dname}: claimed by {other['hub_slug']} "
                            f"and {slug} with equal status"
                        )
                        continue
                    winner, loser = (other, area) if other["_rank"] < rank else (area, other)
                    dropped.append(
                        f"{loser['hub_slug']}: {la['name']} {dname}".strip()
                        + f" (kept by {winner['hub_slug']})"
                    )
                    area["_rank"] = rank
                    claims[key] = winner
                    continue
                area["_rank"] = rank
                claims[key] = area
    for hub_name, la_name, district, note_text in ASSUMED_AREAS:
        la, dcode, dname = geo.resolve(la_name, district)
        key = (la["code"], dcode)
        if key in claims:
            problems.append(
                f"assumed {la_name} {district or ''} for {hub_name} is already "
                f"claimed by {claims[key]['hub_slug']}"
            )
            continue
        claims[key] = {
            "network": "maths",
            "hub_slug": slug_of.get(hub_name, "?"),
            "la_code": la["code"],
            "la_name": la["name"],
            "district_code": dcode,
            "district_name": dname,
            "basis": "assumed",
            "note": note_text,
        }
    areas = [{k: v for k, v in a.items() if k != "_rank"} for a in claims.values()]
    return hubs, areas, dropped, problems


def build_science(geo: Geography, schools):
    hubs, areas = [], []
    for region in geo.regions:
        slug = f"science-{kebab(region)}"
        candidates = [
            s
            for s in schools
            if s["EstablishmentStatus (name)"] == "Open"
            and s["CensusSchoolType2019"] == "State-funded secondary"
            and s["GOR (name)"] == region
            and s["NumberOfPupils"].isdigit()
        ]
        # Largest 2019 roll; ties broken by lowest URN so the choice is deterministic.
        lead = min(candidates, key=lambda s: (-int(s["NumberOfPupils"]), int(s["URN"])))
        hubs.append(
            {
                "network": "science",
                "slug": slug,
                "name": f"{region} Science Learning Partnership (demo)",
                "region": region,
                "lead_school_name": lead["EstablishmentName"],
                "lead_school_urn": lead["URN"],
                "status": "demo",
                "as_of": "",
                "source": SCIENCE_SOURCE,
                "areas_note": f"{SCIENCE_NOTE}; lead school = largest open state-funded secondary "
                f"in the region by pupils on roll (census Jan 2019)",
                "email": f"hello@{slug}.example.org",
                "website": "",
                "contact_is_demo": "yes",
            }
        )
        for la in geo.las:
            if la["region"] == region:
                areas.append(
                    {
                        "network": "science",
                        "hub_slug": slug,
                        "la_code": la["code"],
                        "la_name": la["name"],
                        "district_code": "",
                        "district_name": "",
                        "basis": "assumed",
                        "note": SCIENCE_NOTE,
                    }
                )
    return hubs, areas


def check_coverage(network: str, areas, geo: Geography, hub_slugs: set[str]) -> list[str]:
    problems = []
    seen = Counter((a["la_code"], a["district_code"]) for a in areas)
    for (la_code, dcode), n in seen.items():
        if n > 1:
            problems.append(f"{network}: duplicate row for LA {la_code} district {dcode or '-'}")
    by_la = defaultdict(list)
    for a in areas:
        by_la[a["la_code"]].append(a)
        if a["hub_slug"] not in hub_slugs:
            problems.append(f"{network}: area row for unknown hub {a['hub_slug']!r}")
    for la in geo.las:
        rows = by_la.pop(la["code"], [])
        label = f"{network}: {la['name']} ({la['code']})"
        whole = [a for a in rows if not a["district_code"]]
        parts = {a["district_code"]: a for a in rows if a["district_code"]}
        all_districts = set(geo.districts[la["code"]].values())
        if stray := set(parts) - all_districts:
            problems.append(f"{label}: districts not in this LA: {sorted(stray)}")
        if not rows:
            problems.append(f"{label}: not covered")
        elif len(whole) > 1:
            problems.append(
                f"{label}: covered twice (whole-LA rows for "
                f"{', '.join(a['hub_slug'] for a in whole)})"
            )
        elif not whole and set(parts) != all_districts:
            missing = sorted(geo.district_name[d] for d in all_districts - set(parts))
            problems.append(f"{label}: districts not covered: {', '.join(missing)}")
        elif whole:
            same = [
                geo.district_name[d]
                for d, a in parts.items()
                if a["hub_slug"] == whole[0]["hub_slug"]
            ]
            if same:
                problems.append(f"{label}: district rows repeat the whole-LA hub: {same}")
            if parts and set(parts) >= all_districts:
                problems.append(f"{label}: whole-LA row is overridden by every district")
    for la_code in by_la:
        problems.append(f"{network}: unknown LA code {la_code}")
    return problems


def write_csv(path: Path, columns: list[str], rows) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()

    geo = Geography(read_csv(args.data / "england_lad25_to_la_lookup.csv"))
    hub_rows = read_csv(args.data / "maths_hubs_england.csv")
    schools = read_csv(args.data / "schools_england.csv")

    maths_hubs, maths_areas, dropped, problems = build_maths(hub_rows, geo, schools)
    science_hubs, science_areas = build_science(geo, schools)
    hub_order = {h["slug"]: i for i, h in enumerate(maths_hubs + science_hubs)}
    areas = sorted(
        maths_areas + science_areas,
        key=lambda a: (
            a["network"] != "maths",
            hub_order.get(a["hub_slug"], 999),
            a["la_name"],
            a["district_name"],
        ),
    )

    for network, hubs in (("maths", maths_hubs), ("science", science_hubs)):
        rows = [a for a in areas if a["network"] == network]
        slugs = [h["slug"] for h in hubs]
        if len(set(slugs)) != len(slugs):
            problems.append(f"{network}: duplicate hub slugs")
        problems += check_coverage(network, rows, geo, set(slugs))
    if len(maths_hubs) != len(hub_rows):
        problems.append("maths: hub count differs from maths_hubs_england.csv")

    for line in dropped:
        print(f"dropped historic claim: {line}")
    if problems:
        for line in problems:
            print(f"ERROR {line}", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    write_csv(args.out / "hubs.csv", HUB_COLUMNS, maths_hubs + science_hubs)
    write_csv(args.out / "hub_areas.csv", AREA_COLUMNS, areas)

    print(f"wrote {args.out / 'hubs.csv'} and {args.out / 'hub_areas.csv'}")
    for network, hubs in (("maths", maths_hubs), ("science", science_hubs)):
        rows = [a for a in areas if a["network"] == network]
        basis = Counter(a["basis"] for a in rows)
        with_areas = len({a["hub_slug"] for a in rows})
        print(
            f"{network}: {len(hubs)} hubs ({with_areas} with areas), "
            f"{sum(1 for h in hubs if h['lead_school_urn'])} with lead URN; "
            f"{len(rows)} area rows = {sum(1 for a in rows if not a['district_code'])} LA + "
            f"{sum(1 for a in rows if a['district_code'])} district; "
            f"source {basis['source']}, assumed {basis['assumed']}; "
            f"all {len(geo.las)} LAs covered once"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

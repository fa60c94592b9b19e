"""Application references people can read out and type: CPD-7K3-9QX.

A reference is the application's id scrambled by a fixed permutation of the 31**6 codes, so it
is unique without a column, a lookup or a retry, and neighbouring applications do not get
neighbouring references. Letters and digits that look alike (0/O, 1/I/L) are left out.
"""

import re

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
CODES = len(ALPHABET) ** LENGTH  # 887,503,681 applications before references repeat
MULTIPLIER = 387_420_489  # 3**18: shares no factor with 31**6, so the map is a permutation
OFFSET = 123_456_789
INVERSE = pow(MULTIPLIER, -1, CODES)
PATTERN = re.compile(rf"^(?:CPD)?([{ALPHABET}]{{{LENGTH}}})$")


def reference_for(application_id: int) -> str:
    """Return the reference of an application id."""
    number = (application_id * MULTIPLIER + OFFSET) % CODES
    characters = []
    for _position in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        characters.append(ALPHABET[index])
    code = "".join(reversed(characters))
    return f"CPD-{code[:3]}-{code[3:]}"


def application_id_for(reference: str) -> int | None:
    """Return the application id a reference stands for (dashes, spaces and case ignored), or
    None when the text is not a reference."""
    match = PATTERN.match(re.sub(r"[\s-]", "", reference.upper()))
    if match is None:
        return None
    number = 0
    for character in match.group(1):
        number = number * len(ALPHABET) + ALPHABET.index(character)
    application_id = (number - OFFSET) * INVERSE % CODES
    return application_id or None

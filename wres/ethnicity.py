"""NHS ethnic category -> WRES group (white / bme / unknown) and census 2021 high-level group.

The one definition of the BME mapping (CONTRACT section 1, "Ethnicity"; DOMAIN.md "Ethnic
categories"). ``ethnic_origin`` holds an NHS Data Dictionary ETHNIC CATEGORY
(datadictionary.nhs.uk/data_elements/ethnic_category.html): a national code letter, optionally a
second character for local use (ESR's ``CA White English``), optionally followed by a label, or
the label alone, or a not-stated / not-known value.

============  ==========  =======================  ==============
code          WRES group  census 2021 group        unknown reason
============  ==========  =======================  ==============
A, B, C       white       white
D, E, F, G    bme         mixed
H, J, K, L    bme         asian
R (Chinese)   bme         asian (2021 census)
M, N, P       bme         black
S             bme         other
Z             unknown                              not_stated
99            unknown                              not_known
============  ==========  =======================  ==============

The staff survey's ``ethnicity`` may also be a 2021 census label (table TS021) or a high-level
group name (``White``, ``Mixed``, ``Asian``, ``Black``, ``Chinese``, ``Arab``, ``Other``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from wres.errors import ConfigError
from wres.values import map_distinct

WRES_GROUPS: tuple[str, ...] = ("white", "bme", "unknown")
CENSUS_GROUPS: tuple[str, ...] = ("white", "asian", "black", "mixed", "other")


@dataclass(frozen=True)
class EthnicCategory:
    code: str | None  # NHS national code ('A'..'S', 'Z', '99'); None for a census-only label
    wres_group: str  # 'white' | 'bme' | 'unknown'
    census_group: str | None  # 'white' | 'asian' | 'black' | 'mixed' | 'other'; None when unknown
    unknown_reason: str | None  # 'not_stated' | 'not_known'; None when known


def _known(code: str | None, census_group: str) -> EthnicCategory:
    return EthnicCategory(code, "white" if census_group == "white" else "bme", census_group, None)


NOT_STATED = EthnicCategory("Z", "unknown", None, "not_stated")
NOT_KNOWN = EthnicCategory("99", "unknown", None, "not_known")

NATIONAL_CODES: dict[str, EthnicCategory] = {
    **{code: _known(code, "white") for code in "ABC"},
    **{code: _known(code, "mixed") for code in "DEFG"},
    **{code: _known(code, "asian") for code in "HJKLR"},  # Chinese (R) is Asian in the 2021 census
    **{code: _known(code, "black") for code in "MNP"},
    "S": _known("S", "other"),
    "Z": NOT_STATED,
    "99": NOT_KNOWN,
}

# The NHS Data Dictionary's descriptions (current, with the group; and the older ones without it,
# which HES and many local systems still carry), the UK Core FHIR display names, and the values
# the contract names for not stated / not known. ESR writes "&" for "and"; the key ignores that.
NHS_LABELS: dict[str, tuple[str, ...]] = {
    "A": (
        "White - British",
        "British",
        "White English, Welsh, Scottish, Northern Irish or British",
    ),
    "B": ("White - Irish", "Irish"),
    "C": ("White - Any other White background", "Any other White background"),
    "D": ("Mixed - White and Black Caribbean", "White and Black Caribbean"),
    "E": ("Mixed - White and Black African", "White and Black African"),
    "F": ("Mixed - White and Asian", "White and Asian"),
    "G": ("Mixed - Any other mixed background", "Any other mixed background"),
    "H": ("Asian or Asian British - Indian", "Indian"),
    "J": ("Asian or Asian British - Pakistani", "Pakistani"),
    "K": ("Asian or Asian British - Bangladeshi", "Bangladeshi"),
    "L": ("Asian or Asian British - Any other Asian background", "Any other Asian background"),
    "M": ("Black or Black British - Caribbean", "Caribbean"),
    "N": ("Black or Black British - African", "African"),
    "P": ("Black or Black British - Any other Black background", "Any other Black background"),
    "R": ("Other Ethnic Groups - Chinese", "Chinese"),
    "S": ("Other Ethnic Groups - Any other ethnic group", "Any other ethnic group", "Other Ethnic Group"),
    "Z": ("Not stated", "Prefer not to say"),
    "99": ("Not known", "Unknown"),
}

# 2021 census (TS021) categories under their high-level group, with the spellings of the census
# outputs, the census reference table (ethnic_group_detail) and the NHS Staff Survey questionnaire.
_CENSUS_PREFIXES: dict[str, tuple[str, ...]] = {
    "white": ("White",),
    "mixed": (
        "Mixed",
        "Mixed or Multiple ethnic groups",
        "Mixed or Multiple ethnic group",
        "Mixed / Multiple ethnic groups",
    ),
    "asian": (
        "Asian",
        "Asian or Asian British",
        "Asian / Asian British",
        "Asian, Asian British or Asian Welsh",
    ),
    "black": (
        "Black",
        "Black or Black British",
        "Black / African / Caribbean / Black British",
        "Black, African, Caribbean or Black British",
        "Black, Black British, Black Welsh, Caribbean or African",
    ),
    "other": ("Other", "Other ethnic group", "Other ethnic groups"),
}
_CENSUS_DETAILS: dict[str, tuple[str, ...]] = {
    "white": (
        "English, Welsh, Scottish, Northern Irish or British",
        "English / Welsh / Scottish / Northern Irish / British",
        "British",
        "Irish",
        "Gypsy or Irish Traveller",
        "Roma",
        "Other White",
        "Any other White background",
    ),
    "mixed": (
        "White and Black Caribbean",
        "White and Black African",
        "White and Asian",
        "Other Mixed",
        "Other Mixed or Multiple ethnic groups",
        "Any other Mixed or Multiple ethnic background",
        "Any other Mixed / Multiple ethnic background",
        "Any other mixed background",
    ),
    "asian": ("Indian", "Pakistani", "Bangladeshi", "Chinese", "Other Asian", "Any other Asian background"),
    "black": (
        "African",
        "Caribbean",
        "Other Black",
        "Any other Black background",
        "Any other Black / African / Caribbean background",
        "Any other Black, Black British, or Caribbean background",
    ),
    "other": ("Arab", "Any other ethnic group"),
}
# High-level names the survey may use on their own (besides the prefixes above).
_HIGH_LEVEL_NAMES: dict[str, str] = {"Chinese": "asian", "Arab": "other"}

# Two-character values that look like a code plus a local character but are, in practice, the
# abbreviations for "not available / not known / not stated / no": read as code N with a local
# character only when a label saying Black follows (``NA Black Somali``, ``NK African``), never
# alone (``NA``) or with another label (``NA Not applicable``).
_AMBIGUOUS_CODES = frozenset({"NA", "NK", "NS", "NO"})

# Words that say a value withholds the ethnicity (``Do not wish to disclose``, ``NS Declined``): a
# value whose text after an apparent code holds one of them is not read as that code (``Do`` is not
# code D with a local character), so that it fails validation and the user maps it (to Z or 99)
# rather than having the person counted as BME.
_WITHHOLDING_WORDS = frozenset(
    {
        "not", "no", "non", "none", "nil", "null", "blank", "decline", "declined", "declines",
        "disclose", "disclosed", "disclosure", "prefer", "preferred", "refuse", "refused", "wish",
        "withheld", "unknown", "unspecified", "unstated", "undisclosed", "stated", "known",
        "specified", "given", "recorded", "answer", "answered", "say", "applicable", "available",
    }
)  # fmt: skip

# A label that starts with one of these names a category, whatever words follow (``White Unspecified``).
_GROUP_WORDS = frozenset(
    {"white", "mixed", "asian", "black", "other", "any", "british", "irish", "african", "caribbean",
     "indian", "pakistani", "bangladeshi", "chinese", "arab"}
)  # fmt: skip

# What follows an apparent code that is itself an abbreviation, not a label (``N.K.``, ``N A``).
_ABBREVIATION = re.compile(r"(?:[A-Za-z]\.?\s*){1,2}")

_CODE_PREFIX = re.compile(r"(99|[A-Za-z][A-Za-z0-9]?)(?:$|[\s:.)\-\u2013\u2014]+(.*)$)", re.DOTALL)


def label_key(text: str) -> str:
    """The form in which labels are compared: case, punctuation, dashes, ``&``/``and`` and spacing ignored.

    >>> label_key("Mixed \u2013 White & Black Caribbean")
    'mixed white and black caribbean'
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"['\u2018\u2019]", "", text).replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _build_tables() -> tuple[dict[str, EthnicCategory], dict[str, EthnicCategory]]:
    nhs: dict[str, EthnicCategory] = {}
    for code, labels in NHS_LABELS.items():
        for label in labels:
            nhs[label_key(label)] = NATIONAL_CODES[code]
    survey = dict(nhs)
    census: dict[str, EthnicCategory] = {}
    for group, prefixes in _CENSUS_PREFIXES.items():
        for prefix in prefixes:
            census[label_key(prefix)] = _known(None, group)
            for detail in _CENSUS_DETAILS[group]:
                census[label_key(detail)] = _known(None, group)
                census[label_key(f"{prefix} {detail}")] = _known(None, group)
    for name, group in _HIGH_LEVEL_NAMES.items():
        census[label_key(name)] = _known(None, group)
    for key, category in census.items():
        # An NHS label wins (it carries the code); the census reading must agree with it.
        existing = survey.setdefault(key, category)
        if existing.census_group != category.census_group:
            raise AssertionError(f"ethnicity label {key!r} maps to two groups")
    return nhs, survey


_NHS_TABLE, _SURVEY_TABLE = _build_tables()


def _same_group(a: EthnicCategory, b: EthnicCategory) -> bool:
    return a.wres_group == b.wres_group and a.census_group == b.census_group


def _classify_builtin(text: str, survey: bool) -> EthnicCategory | None:
    key = label_key(text)
    table = _SURVEY_TABLE if survey else _NHS_TABLE
    if key in table:
        return table[key]
    match = _CODE_PREFIX.fullmatch(text)
    if not match:
        return None
    token, rest = match.group(1).upper(), (match.group(2) or "").strip()
    category = NATIONAL_CODES.get(token if token == "99" else token[0])
    if category is None:
        return None
    said = _SURVEY_TABLE.get(label_key(rest)) if rest else None
    if token in _AMBIGUOUS_CODES and not _says_black(rest, said):
        return None
    if said is None and rest and _withholds_or_abbreviates(rest):
        return None
    # "A White - British" is code A with its label; "N White" contradicts itself.
    if said is not None and not _same_group(said, category):
        return None
    return category


def _withholds_or_abbreviates(rest: str) -> bool:
    """Whether the text after an apparent code says the ethnicity was withheld or is an abbreviation:
    then the value is not that code with a label (``Do not wish to disclose``, ``N.K.``)."""
    words = label_key(rest).split()
    if words and words[0] in _GROUP_WORDS:  # ``C3 White Unspecified``: a local White category
        return False
    return bool(_WITHHOLDING_WORDS & set(words)) or bool(_ABBREVIATION.fullmatch(rest))


def _says_black(label: str, said: EthnicCategory | None) -> bool:
    """Whether ``label`` names a Black category (``Black Somali``, ``African``)."""
    if said is not None:
        return said.census_group == "black"
    return label_key(label).split(" ")[0] == "black"


def classify_ethnic_origin(
    value: str | None, aliases: Mapping[str, str] | None = None, survey: bool = False
) -> EthnicCategory | None:
    """The ethnic category of one value, or None when it is not recognised (a validation failure).

    Accepted: a national code (``A``), a code with a local second character (``CA``, ``C3``), either
    followed by a label (``A White - British``, ``CA White English``), or an NHS label alone
    (``Black or Black British - African``). Blank is not known, as are ``99``, ``Not known`` and
    ``Unknown``; ``Z``, ``Not stated`` and ``Prefer not to say`` are not stated. Case, spacing,
    punctuation and the kind of dash do not matter. A label's first letter is never read as a
    code: ``Black or Black British`` is not code B, it is unrecognised. ``NA``, ``NK``, ``NS`` and
    ``NO`` are read as code N with a local character only when a Black label follows
    (``NA Black Somali``), never alone. Nor is an apparent code read as one when the text after it
    says the ethnicity was withheld (``Do not wish to disclose``) or is an abbreviation (``N.K.``):
    such a value is unrecognised, for the user to map to Z or 99.

    >>> classify_ethnic_origin("CA White English")
    EthnicCategory(code='C', wres_group='white', census_group='white', unknown_reason=None)
    >>> classify_ethnic_origin("Other Ethnic Groups - Chinese").census_group
    'asian'
    >>> classify_ethnic_origin("Asian") is None, classify_ethnic_origin("Asian", survey=True).wres_group
    (True, 'bme')

    ``survey=True`` also accepts 2021 census labels (``White: Roma``, ``Other ethnic group: Arab``)
    and high-level names (``White``, ``Mixed``, ``Asian``, ``Black``, ``Chinese``, ``Arab``,
    ``Other``); such values have no NHS code (``code`` None) unless they are also an NHS label.
    ``aliases`` (settings ``[aliases.ethnicity]``) maps further labels, compared as ``label_key``
    does, to an NHS code or any other recognised value; an alias whose target is not recognised
    is a ConfigError.
    """
    if value is None or not str(value).strip():
        return NOT_KNOWN
    text = str(value).strip()
    if aliases:
        key = label_key(text)
        for label, target in aliases.items():
            if label_key(label) == key:
                category = _classify_builtin(str(target).strip(), survey)
                if category is None:
                    raise ConfigError(
                        f"ethnicity alias {label!r} = {target!r}: {target!r} is not an NHS ethnic "
                        "category code (A to S, Z or 99) or label"
                    )
                return category
    return _classify_builtin(text, survey)


def classify_series(
    s: pl.Series, aliases: Mapping[str, str] | None = None, survey: bool = False
) -> pl.DataFrame:
    """``classify_ethnic_origin`` over a column, one row per input row, in order.

    Columns: ``ethnic_group``, ``census_group``, ``unknown_reason`` (String) and ``recognised``
    (Boolean). An unrecognised value has ``recognised`` False and the three groups null.
    """

    def classify(value: str | None) -> dict[str, object]:
        category = classify_ethnic_origin(value, aliases, survey)
        if category is None:
            return {"ethnic_group": None, "census_group": None, "unknown_reason": None, "recognised": False}
        return {
            "ethnic_group": category.wres_group,
            "census_group": category.census_group,
            "unknown_reason": category.unknown_reason,
            "recognised": True,
        }

    schema = {
        "ethnic_group": pl.String(),
        "census_group": pl.String(),
        "unknown_reason": pl.String(),
        "recognised": pl.Boolean(),
    }
    return map_distinct(s, classify, schema)

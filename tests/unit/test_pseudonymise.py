"""Pseudonyms of a column equal the keyed hash of each value (wres.pseudonymise)."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid

import polars as pl
import pytest

from wres.pseudonymise import PYTHON_WHITESPACE, pseudonym, pseudonymise_column, pseudonymise_frame


def reference_hmac(identifier: str, key: bytes) -> str:
    """The standard library's HMAC-SHA256 of the stripped identifier (an all-digit one without its
    leading zeros), its first 128 bits written as a UUID: the definition to match."""
    text = identifier.strip()
    if re.fullmatch("[0-9]+", text):
        text = str(int(text))
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return str(uuid.UUID(hex=digest[:32]))


def test_a_known_pseudonym():
    # HMAC-SHA256("secret", "12345678") = 689fbd53882584ff92c6aec47170fa958e43..., computed once with
    # `printf 12345678 | openssl dgst -sha256 -hmac secret`; the pseudonym is its first 32 hex digits
    assert pseudonym("12345678", b"secret") == "689fbd53-8825-84ff-92c6-aec47170fa95"


@pytest.mark.parametrize(
    "key",
    [
        b"secret",  # shorter than SHA-256's 64-byte block: padded with zeros
        b"k" * 64,  # exactly one block
        b"a much longer key than one block of sha-256, which HMAC hashes first " * 2,  # > 64 bytes
        "clé-ünïcode-🔑".encode(),
        bytes(range(128, 200)),  # not UTF-8 text: hashed value by value with the standard library
    ],
)
def test_every_value_gets_the_hmac_of_its_stripped_text(key):
    values = [
        "12345678",
        " 12345678 ",  # same identifier with spaces: same pseudonym
        "\x1c12345678\u3000",  # separators and ideographic space count as whitespace for str.strip
        "12345678\u200b",  # a zero-width space is NOT whitespace: a different identifier
        "",
        "É-0042",
        "日本-7",
        None,
        "12345678",
        "012345678",  # Excel drops leading zeros: an all-digit id is compared without them
        "0",
        "000",
        "00A12",  # not all digits: kept as written
        "\u0663\u0663",  # Arabic-Indic digits are not 0-9: kept as written
    ]
    result = pseudonymise_column(pl.Series("employee_id", values), key)
    expected = [None if v is None else reference_hmac(v, key) for v in values]
    assert result.to_list() == expected
    assert result.name == "employee_id"
    assert result.dtype == pl.String
    assert result[0] == result[1] == result[2] == result[8] == result[9]
    assert result[3] != result[0]
    assert result[10] == result[11]
    assert result[12] != pseudonymise_column(pl.Series("e", ["A12"]), key)[0]


def test_whitespace_set_is_what_str_strip_removes():
    assert set(PYTHON_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def test_frame_pseudonymises_only_the_identifier_columns_present():
    frame = pl.DataFrame({"employee_id": ["E1", None], "gender": ["F", "M"]})
    out = pseudonymise_frame(frame, {"employee_id", "case_id"}, b"secret")
    assert out.columns == ["employee_id", "gender"]
    assert out["employee_id"].to_list() == [reference_hmac("E1", b"secret"), None]
    assert out["gender"].to_list() == ["F", "M"]


def test_an_all_null_or_empty_column():
    assert pseudonymise_column(pl.Series("case_id", [None, None], dtype=pl.String), b"k").to_list() == [
        None,
        None,
    ]
    assert pseudonymise_column(pl.Series("case_id", [], dtype=pl.String), b"k").len() == 0

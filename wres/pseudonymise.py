"""Pseudonymise identifiers on ingest with a keyed hash (HMAC-SHA256).

The key comes from the environment variable ``WRES_PSEUDONYMISATION_KEY`` or, when that is unset,
from a key file created on first use outside the repository (default
``~/.config/wres/pseudonymisation.key``) with owner-only permissions. The same identifier under
the same key gives the same pseudonym in every file and every run; without the key a pseudonym
cannot be turned back into the identifier, and the raw identifier is stored nowhere.

A pseudonym is the first 128 bits of the HMAC (truncated HMAC, as RFC 2104 section 5 allows),
written and stored as a UUID: DuckDB keeps a UUID in 16 bytes, where the 64 hex characters of the
whole HMAC took a string each, so that storing, joining and counting the people of a national state
cost about a third less (docs/benchmark.md). 128 bits leave no practical chance of two people
sharing a pseudonym (about 10^-26 for ten million identifiers).

>>> pseudonym("12345678", b"secret")
'689fbd53-8825-84ff-92c6-aec47170fa95'

An identifier made only of the digits 0-9 is hashed without its leading zeros: Excel drops them when
it opens and saves a CSV (and a workbook cell holds the number), so ``00045001`` in the ESR extract
and ``45001`` in a training file saved through Excel are one person.

>>> pseudonym("00045001", b"secret") == pseudonym("45001", b"secret")
True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

import polars as pl
import polars_hash  # noqa: F401  (registers the ``chash`` namespace of polars expressions)

from wres.config import user_folder
from wres.errors import ConfigError

KEY_ENVIRONMENT_VARIABLE = "WRES_PSEUDONYMISATION_KEY"
# a key shorter than this is too easy to guess: whoever guesses it can test identifiers against the
# pseudonyms (the key file made on first use holds 64)
MINIMUM_KEY_CHARACTERS = 32


def default_key_file() -> Path:
    return user_folder("XDG_CONFIG_HOME", ".config") / "wres" / "pseudonymisation.key"


def load_key(key_file: Path | None = None) -> bytes:
    """The pseudonymisation key: the environment variable, else the key file (made if missing)."""
    from_env = os.environ.get(KEY_ENVIRONMENT_VARIABLE)
    if from_env:
        if len(from_env.strip()) < MINIMUM_KEY_CHARACTERS:
            raise ConfigError(
                f"{KEY_ENVIRONMENT_VARIABLE} holds fewer than {MINIMUM_KEY_CHARACTERS} characters: set it "
                "to a long random secret, such as the output of "
                "python3 -c 'import secrets; print(secrets.token_hex(32))'"
            )
        return from_env.encode("utf-8")
    path = Path(key_file) if key_file else default_key_file()
    if key_file:
        repository = _repository_holding(path)
        if repository is not None:
            raise ConfigError(
                f"the pseudonymisation key file {path} is inside the repository {repository}: keep the key "
                f"outside any repository (the default is {default_key_file()}), or set "
                f"{KEY_ENVIRONMENT_VARIABLE}"
            )
    if path.exists():
        key = path.read_bytes().strip()
        if len(key) < MINIMUM_KEY_CHARACTERS:
            raise ConfigError(
                f"the pseudonymisation key file {path} holds fewer than {MINIMUM_KEY_CHARACTERS} characters"
            )
        return key
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_hex(32).encode("ascii")
    # O_EXCL: two first runs at once must not each write a different key
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key


def _repository_holding(path: Path) -> Path | None:
    """The git or Mercurial work tree that holds ``path``, if any: a key there is one commit away
    from being published."""
    for folder in Path(os.path.abspath(path)).parents:
        if (folder / ".git").exists() or (folder / ".hg").exists():
            return folder
    return None


# the SQL type of a pseudonymised identifier column, in the state and in the warehouse's staging
PSEUDONYM_SQL_TYPE = "UUID"


def comparable_identifier(identifier: str) -> str:
    """What is hashed: the identifier without surrounding whitespace, and, when it is made only of
    the digits 0-9, without leading zeros (``"0"`` stays ``"0"``)."""
    text = identifier.strip()
    if text.isascii() and text.isdigit():
        return text.lstrip("0") or "0"
    return text


def pseudonym(identifier: str, key: bytes) -> str:
    """The identifier's pseudonym: HMAC-SHA256 of ``comparable_identifier(identifier)``, its first
    128 bits as the UUID text that DuckDB shows for the stored value."""
    return str(uuid.UUID(hex=_hex_digest(comparable_identifier(identifier), key)[:32]))


def _hex_digest(identifier: str, key: bytes) -> str:
    return hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()


# what str.strip() removes (the characters for which str.isspace() is true), so that stripping in
# polars matches ``pseudonym``
PYTHON_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _comparable(column: pl.Expr) -> pl.Expr:
    """``comparable_identifier`` as a polars expression."""
    text = column.str.strip_chars(PYTHON_WHITESPACE)
    digits_only = text.str.contains(r"^[0-9]+$")
    without_zeros = text.str.strip_chars_start("0")
    return (
        pl.when(~digits_only)
        .then(text)
        .when(without_zeros.str.len_bytes() == 0)
        .then(pl.lit("0"))
        .otherwise(without_zeros)
    )


def pseudonymise_column(values: pl.Series, key: bytes) -> pl.Series:
    """Replace every non-null value by its pseudonym (``pseudonym``: surrounding whitespace and the
    leading zeros of an all-digit identifier set aside).

    >>> ids = pl.Series("id", ["12345678", None, " 012345678 "])
    >>> pseudonymise_column(ids, b"secret").to_list()
    ['689fbd53-8825-84ff-92c6-aec47170fa95', None, '689fbd53-8825-84ff-92c6-aec47170fa95']
    """
    return pseudonymise_frame(values.to_frame(), {values.name}, key)[values.name]


_UUID_FIELDS = ((0, 8), (8, 4), (12, 4), (16, 4), (20, 12))


def _uuid_text(hex_digest: pl.Expr) -> pl.Expr:
    """The first 32 hex digits of a digest written as a UUID (8-4-4-4-12), as ``pseudonym`` gives."""
    return pl.concat_str(
        [hex_digest.str.slice(start, length) for start, length in _UUID_FIELDS], separator="-"
    )


# HMAC-SHA256 over whole columns: polars-hash's ``hmac_sha256`` (Rust's ``hmac`` and ``sha2``
# crates, the processor's SHA extensions where it has them, one core per identifier column) gives
# the same digest as ``hmac.new(key, identifier, sha256)``, tested against it. At national scale it
# hashes the inbox's 11.6 million identifiers several times quicker than the same HMAC written in
# DuckDB's SQL (docs/benchmark.md). It takes the key as text: a key that is not UTF-8 text (a
# hand-made key file) is applied value by value with the standard library instead. The key travels
# in the expression's arguments: an expression holding it is never serialised or logged.
def _hashed(column: pl.Expr, key: bytes) -> pl.Expr:
    """The hex HMAC-SHA256 of every value of ``column`` (already ``comparable_identifier``)."""
    try:
        text_key = key.decode("utf-8")
    except UnicodeDecodeError:
        return column.map_elements(lambda value: _hex_digest(value, key), return_dtype=pl.String)
    return column.chash.hmac_sha256(key=text_key)


def pseudonymise_frame(frame: pl.DataFrame, columns: frozenset[str] | set[str], key: bytes) -> pl.DataFrame:
    """Pseudonymise each of ``columns`` present in ``frame`` (rows stay in their order)."""
    present = [c for c in frame.columns if c in columns]
    if not present or frame.is_empty():
        return frame.with_columns(pl.col(c).cast(pl.String) for c in present)
    digests = frame.select(_hashed(_comparable(pl.col(c).cast(pl.String)), key).alias(c) for c in present)
    # a second step: each UUID field slices the digest, which would otherwise be hashed once per slice
    return frame.with_columns(digests.select(_uuid_text(pl.col(c)).alias(c) for c in present))

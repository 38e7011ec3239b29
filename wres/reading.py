"""Read an inbox file into a raw table of text: encoding, delimiter, XLSX, header row, aliases.

CONTRACT section 1. The result keeps every value as text (surrounding whitespace stripped, empty
as null) under the kind's canonical column names; typing the values is ``parsing.py``'s job.
Problems with the file's structure raise :class:`wres.errors.FileRejected` with a message that
names the file and says what to do; messages never show a value from the file's rows.

Row numbers (``__row``) are those a person sees: for CSV the physical line on which the record
starts (title rows, the header and blank lines count; a quoted value that spans lines makes the
next record start further down), for XLSX the worksheet row.

Quotes follow the rule of spreadsheet programs (and Python's csv module and DuckDB): a ``"`` opens a
quoted value only where a value starts, so a quote inside an unquoted value (``5'10"``) is part of
the value. polars reads files whose quotes all belong to well-formed quoted values; the few others
(a stray quote, doubled quotes at the edge of an unquoted value) are read with the csv module. A
quoted value never closed is reported with the line it opens on.

Checks raised (``FileRejected.check``): ``empty_file``, ``binary_file``, ``encoding`` (mixed
encodings), ``delimiter``, ``required_columns``, ``duplicated_header``, ``unclosed_quote``,
``ragged_rows`` (values beyond the header's columns), ``malformed_csv`` (anything else polars
cannot parse), ``corrupt_xlsx`` and ``uncalculated_formula`` (a workbook's formulas saved without
their values). A header without rows is not rejected here.

Staff survey question columns are matched only through ``settings.survey_columns(year)``: in a
2019 file ``q14`` is canonical ``q15``, so the 2021 names are never matched directly.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from wres.config import DEFAULT_HEADER_ALIASES, Settings
from wres.errors import FileRejected
from wres.kinds import SURVEY_QUESTIONS, Kind
from wres.messages import plural

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet as Worksheet

HEADER_SEARCH_ROWS = 50
ACCEPTED_DELIMITERS = (",", ";")
# delimiters recognised only to say why a file is rejected
OTHER_DELIMITERS = {"\t": "tabs", "|": "pipes (|)"}
ROW_COLUMN = "__row"

_SCAN_CHUNK_BYTES = 8 << 20
_PREFIX_BYTES = 4 << 20
_MAX_FIELD_CHARS = 2**31 - 1  # the csv module's limit must fit a C long on every platform
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted workbook
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# a well-formed UTF-8 multi-byte character (RFC 3629): finding one in a file that is not valid
# UTF-8 means two encodings were mixed
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _windows_1252_table() -> str:
    # Python's cp1252 leaves five bytes undefined; Windows maps them to the C1 controls, so do we
    chars = []
    for byte in range(256):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return "".join(chars)


_WINDOWS_1252 = _windows_1252_table()


@dataclass
class RawTable:
    frame: pl.DataFrame  # __row (Int64) then the kind's canonical columns found, all pl.String
    header_row: int  # line (CSV) or worksheet row (XLSX) of the header, 1-based
    source_format: str  # 'csv' | 'xlsx'
    encoding: str | None  # 'utf-8', 'utf-8-sig' (with BOM), 'windows-1252'; None for XLSX
    delimiter: str | None  # ',' or ';'; None for XLSX
    ignored_columns: list[str] = field(default_factory=list)  # headers not used, as written
    # canonical -> headers that also name it but lost to a better match ("Grade" beside "Pay Band")
    outranked_headers: dict[str, list[str]] = field(default_factory=dict)
    title_rows: int = 0  # rows above the header


def normalise_header(text: str) -> str:
    """A header reduced to lower-case letters and digits, for matching.

    Case, spaces, underscores, hyphens and punctuation do not count:

    >>> normalise_header("Ethnic Origin") == normalise_header("ethnic_origin") == "ethnicorigin"
    True
    >>> normalise_header(" Org. Code ")
    'orgcode'
    """
    return "".join(ch for ch in text.casefold() if ch.isalnum())


# --------------------------------------------------------------------------------------------
# headers


@dataclass(frozen=True)
class _HeaderMatcher:
    """Which canonical column a header names, for one kind (and survey year)."""

    file_names: dict[str, str]  # canonical -> the column name the file is expected to use
    direct: dict[str, str]  # normalised file name -> canonical
    aliases: dict[str, str]  # normalised alias -> canonical
    required: frozenset[str]  # what a header row must hold

    def match(self, header: str) -> tuple[str, int] | None:
        """(canonical, rank) for a header; rank 0 = written exactly as expected, 1 = same once
        normalised, 2 = through an alias. None for a header the kind does not use."""
        text = header.strip()
        key = normalise_header(text)
        if not key:
            return None
        if key in self.direct:
            canonical = self.direct[key]
            return canonical, 0 if text == self.file_names[canonical] else 1
        if key in self.aliases:
            return self.aliases[key], 2
        return None

    def matched(self, cells: Sequence[str]) -> set[str]:
        found = set()
        for cell in cells:
            hit = self.match(cell)
            if hit is not None:
                found.add(hit[0])
        return found


def _matcher(kind: Kind, settings: Settings, survey_year: int | None) -> _HeaderMatcher:
    file_names = {c.name: c.name for c in kind.columns}
    question_columns: set[str] = set()
    if kind.name == "staff_survey":
        # the question columns are year-specific: in a 2019 file `q14` holds canonical q15, so
        # only the year's own column names may map to the questions (never the 2021 names)
        year_columns = settings.survey_columns(survey_year) if survey_year is not None else {}
        for question in SURVEY_QUESTIONS:
            file_names[question] = year_columns.get(question, question)
            question_columns.add(question)
    direct = {normalise_header(name): canonical for canonical, name in file_names.items()}
    aliases: dict[str, str] = {}
    for alias, canonical in settings.header_aliases.items():
        key = normalise_header(alias)
        if canonical not in file_names or canonical in question_columns or not key:
            continue
        if key in direct:
            # a header that is itself a column's name: only the user's own alias can send it to
            # another column ("Gender" = "ethnic_origin" for an export whose Gender column holds
            # the ethnic codes); the built-in aliases never rename a column
            if direct[key] == canonical or DEFAULT_HEADER_ALIASES.get(alias) == canonical:
                continue
            del direct[key]
        aliases[key] = canonical
    required = set(kind.required)
    if settings.organisation_code:
        required.discard("organisation_code")  # added from the settings when the file lacks it
    return _HeaderMatcher(file_names, direct, aliases, frozenset(required))


@dataclass
class _HeaderChoice:
    columns: dict[str, int]  # canonical -> cell index
    ignored: list[str]
    outranked: dict[str, list[str]] = field(default_factory=dict)  # canonical -> headers that lost


def _resolve_header(cells: Sequence[str], matcher: _HeaderMatcher, file_name: str, row: int) -> _HeaderChoice:
    """Map a header row's cells to canonical columns; the best-ranked header of each column wins."""
    claims: dict[str, list[tuple[int, int, str]]] = {}
    ignored: list[str] = []
    outranked: dict[str, list[str]] = {}
    for position, cell in enumerate(cells):
        hit = matcher.match(cell)
        if hit is None:
            if cell.strip():
                ignored.append(cell.strip())
            continue
        claims.setdefault(hit[0], []).append((hit[1], position, cell.strip()))
    columns: dict[str, int] = {}
    for canonical, headers in claims.items():
        best = min(rank for rank, _, _ in headers)
        winners = [h for h in headers if h[0] == best]
        if len(winners) > 1:
            positions = " and ".join(str(p + 1) for _, p, _ in winners)
            texts = sorted({t for _, _, t in winners})
            if len(texts) == 1:
                what = f'the header "{texts[0]}" appears {len(winners)} times (columns {positions})'
            else:
                what = " and ".join(f'"{t}"' for t in texts) + f" (columns {positions}) both mean {canonical}"
            raise FileRejected(
                "duplicated_header",
                f"{file_name}: in the header on row {row}, {what}; the monitor cannot tell which to use. "
                "Remove or rename one of them and drop the file again.",
                canonical,
            )
        columns[canonical] = winners[0][1]
        losers = [t for rank, _, t in headers if rank != best]
        ignored.extend(losers)
        if losers:
            outranked[canonical] = losers
    return _HeaderChoice(columns, ignored, outranked)


@dataclass
class _Candidate:
    index: int
    matched: set[str]


def _find_header(rows: Sequence[Sequence[str]], matcher: _HeaderMatcher) -> tuple[int | None, _Candidate]:
    """(index of the first row holding every required column or None, the closest row)."""
    best = _Candidate(0, set())
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matched = matcher.matched(cells)
        if matcher.required <= matched:
            return index, _Candidate(index, matched)
        if len(matched & matcher.required) > len(best.matched & matcher.required):
            best = _Candidate(index, matched)
    return None, best


def _missing_columns_error(
    file_name: str,
    kind: Kind,
    matcher: _HeaderMatcher,
    rows: Sequence[Sequence[str]],
    best: _Candidate,
    row_numbers: Sequence[int],
) -> FileRejected:
    missing = [c for c in kind.required if c in matcher.required and c not in best.matched]
    needed = ", ".join(c for c in kind.required if c in matcher.required)
    org_hint = ""
    if "organisation_code" in missing:
        org_hint = (
            ' A single-trust installation can instead set organisation_code = "XYZ" in wres.toml, '
            "and files without that column then belong to it."
        )
    alias_hint = (
        f' If the file calls a column something else, add an alias to wres.toml:\n[aliases.headers]\n"Their '
        f'Header" = "{missing[0]}"\nand drop the file again.'
    )
    if not best.matched or not rows:
        message = (
            f"{file_name}: no row in the first {HEADER_SEARCH_ROWS} looks like a header: none names a "
            f"column of a {kind.name} file (required: {needed})."
        )
    else:
        headers = [c.strip() for c in rows[best.index] if c.strip()]
        shown = ", ".join(f'"{h[:60]}"' for h in headers[:60]) + (" ..." if len(headers) > 60 else "")
        message = (
            f"{file_name}: no row in the first {HEADER_SEARCH_ROWS} holds all the required columns of a "
            f"{kind.name} file. The closest, row {row_numbers[best.index]}, lacks {', '.join(missing)}. "
            f"Headers found there: {shown}."
        )
    return FileRejected("required_columns", message + alias_hint + org_hint, ", ".join(missing))


# --------------------------------------------------------------------------------------------
# turning the chosen columns into the raw table


def _finish(
    frame: pl.DataFrame,
    rows: Iterable[int] | pl.Series,
    kind: Kind,
    settings: Settings,
    header_row: int,
    source_format: str,
    encoding: str | None,
    delimiter: str | None,
    choice: _HeaderChoice,
) -> RawTable:
    """Strip values, blank to null, number the rows, drop blank rows, add the settings' org code."""
    names = frame.columns
    frame = frame.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.len_bytes() == 0)
        .then(None)
        .otherwise(pl.col(c).str.strip_chars())
        .alias(c)
        for c in names
    )
    row_numbers = rows if isinstance(rows, pl.Series) else pl.Series(ROW_COLUMN, list(rows), pl.Int64)
    frame = frame.insert_column(0, row_numbers.alias(ROW_COLUMN).cast(pl.Int64))
    if names:
        # ESR exports end with blank rows; a row with nothing in any column the kind uses is dropped
        frame = frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in names))
    if "organisation_code" not in names and settings.organisation_code:
        frame = frame.with_columns(pl.lit(settings.organisation_code, pl.String).alias("organisation_code"))
    order = [ROW_COLUMN] + [c.name for c in kind.columns if c.name in frame.columns]
    return RawTable(
        frame=frame.select(order),
        header_row=header_row,
        source_format=source_format,
        encoding=encoding,
        delimiter=delimiter,
        ignored_columns=choice.ignored,
        outranked_headers=choice.outranked,
        title_rows=header_row - 1,
    )


# --------------------------------------------------------------------------------------------
# CSV


@dataclass
class _ByteScan:
    size: int
    has_bom: bool
    utf8: bool
    first_bad_line: int | None  # line of the first byte that is not UTF-8
    has_utf8_multibyte: bool
    has_bare_cr: bool  # a line break written as CR alone (old Mac "CSV (Macintosh)" exports)


def _line_of(data: bytes, offset: int, lines_before: int) -> int:
    return lines_before + data.count(b"\n", 0, max(offset, 0)) + 1


def _scan_bytes(path: Path, file_name: str) -> _ByteScan:
    """One streamed pass: empty, binary, UTF-8 or not, and whether UTF-8 characters are present."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, bad_line, multibyte, has_text = True, None, False, False
    size, lines_before, has_bom, first = 0, 0, False, True
    bare_cr, cr_at_end = False, False  # cr_at_end: the last chunk ended in CR, perhaps half a CRLF
    with open(path, "rb") as handle:
        while chunk := handle.read(_SCAN_CHUNK_BYTES):
            if not bare_cr:
                bare_cr = cr_at_end and not chunk.startswith(b"\n")
                cr_at_end = chunk.endswith(b"\r")
                if b"\r" in chunk:
                    bare_cr = bare_cr or chunk.count(b"\r") - cr_at_end > chunk.count(b"\r\n")
            if first:
                has_bom = chunk.startswith(codecs.BOM_UTF8)
                if chunk.startswith(_UTF16_BOMS) or b"\x00" in chunk:
                    _reject_binary(file_name, chunk, lines_before)
            elif b"\x00" in chunk:
                _reject_binary(file_name, chunk, lines_before)
            body = chunk[3:] if first and has_bom else chunk
            first = False
            has_text = has_text or not (body.isspace() or not body)
            size += len(chunk)
            if utf8:
                pending = len(decoder.getstate()[0])
                if not pending and chunk.isascii():
                    # plain ASCII is valid UTF-8 and has no multi-byte characters: nothing to decode
                    lines_before += chunk.count(b"\n")
                    continue
                try:
                    # only whole characters count: a lead byte held back at the chunk's end may be
                    # a Windows-1252 letter ending the file
                    multibyte = not decoder.decode(chunk).isascii() or multibyte
                except UnicodeDecodeError as error:
                    utf8 = False
                    start = max(error.start - pending, 0)
                    bad_line = _line_of(chunk, start, lines_before)
                    multibyte = multibyte or not chunk[:start].isascii()
                    multibyte = multibyte or _UTF8_MULTIBYTE.search(chunk, start) is not None
            elif not multibyte:
                multibyte = _UTF8_MULTIBYTE.search(chunk) is not None
            lines_before += chunk.count(b"\n")
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8, bad_line = False, lines_before + 1
    if size == 0 or not has_text:
        raise FileRejected(
            "empty_file",
            f"{file_name} is empty{'' if size == 0 else ' (only blank lines)'}: export the report "
            "again and drop the new file.",
        )
    return _ByteScan(size, has_bom, utf8, bad_line, multibyte, bare_cr or cr_at_end)


def _reject_binary(file_name: str, chunk: bytes, lines_before: int) -> None:
    where, nul = "", chunk.find(b"\x00")
    if nul >= 0:  # a stray NUL in a text export is found by its line
        where = f", the first on line {_line_of(chunk, nul, lines_before)}"
    if chunk.startswith(_UTF16_BOMS):
        hint = " It looks like UTF-16 ('Unicode text'): save it as 'CSV UTF-8 (Comma delimited)'."
    elif chunk.startswith(_OLE2_MAGIC):
        hint = " It looks like an old-format (.xls) or password-protected workbook: save it as .xlsx or CSV."
    else:
        hint = " Export the report again as CSV or XLSX."
    raise FileRejected("binary_file", f"{file_name} is not a text file (it holds NUL bytes{where}).{hint}")


def _normalised_copy(path: Path, target: Path, *, windows_1252: bool, line_breaks: bool) -> None:
    """Write ``path`` to ``target`` as UTF-8 with LF line breaks, chunk by chunk (memory stays small).

    ``windows_1252``: decode the text from Windows-1252 (one byte per character, so a chunk never
    splits a character). ``line_breaks``: write every CR, and CRLF, as LF; polars and the line
    numbers of messages count LF only, and a file may end its lines with CR alone.
    """
    with open(path, "rb") as handle, open(target, "wb") as out:
        carried = b""  # a CR at the end of a chunk: the LF of its CRLF may start the next one
        while chunk := handle.read(_SCAN_CHUNK_BYTES):
            data, carried = carried + chunk, b""
            if line_breaks:
                if data.endswith(b"\r"):
                    data, carried = data[:-1], b"\r"
                data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            if windows_1252:
                data = codecs.charmap_decode(data, "strict", _WINDOWS_1252)[0].encode("utf-8")
            out.write(data)
        if carried:
            out.write(b"\n")


def _read_prefix(source: Path) -> tuple[str, bool]:
    """The first few MiB as text (UTF-8 by now), and whether that is less than the whole file."""
    with open(source, "rb") as handle:
        raw = handle.read(_PREFIX_BYTES)
        truncated = bool(handle.read(1))
    text = codecs.getincrementaldecoder("utf-8")().decode(raw, final=not truncated)
    return text.removeprefix("\ufeff"), truncated


@dataclass
class _Records:
    cells: list[list[str]]
    start_lines: list[int]
    end_lines: list[int]


def _first_records(text: str, delimiter: str, truncated: bool) -> _Records:
    """The first records of the prefix, with the lines each starts and ends on."""
    csv.field_size_limit(_MAX_FIELD_CHARS)  # a 1 MB value is legitimate
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    records = _Records([], [], [])
    previous_end = 0
    complete = False
    try:
        for cells in reader:
            records.cells.append(cells)
            records.start_lines.append(previous_end + 1)
            records.end_lines.append(reader.line_num)
            previous_end = reader.line_num
            if len(records.cells) >= HEADER_SEARCH_ROWS + 1:
                complete = True
                break
    except csv.Error:
        complete = True  # malformed beyond here; what was read is enough to find a header
    if truncated and not complete and records.cells:
        # the last record may be cut off by the end of the prefix
        for part in (records.cells, records.start_lines, records.end_lines):
            part.pop()
    return records


def _lines(source: Path) -> Iterator[bytes]:
    with open(source, "rb") as handle:
        yield from handle


def _line_blocks(source: Path) -> Iterator[bytes]:
    """The file in blocks of whole lines (each block ends with a line break, except perhaps the
    last), so that a block splits into lines exactly as iterating over the file does."""
    with open(source, "rb") as handle:
        leftover = b""
        while chunk := handle.read(_SCAN_CHUNK_BYTES):
            data = leftover + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                leftover = data
                continue
            leftover = data[cut:]
            yield data[:cut]
        if leftover:
            yield leftover


_QUOTE, _LINE_FEED, _CARRIAGE_RETURN = ord('"'), ord("\n"), ord("\r")


def _at_value_edges(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, separator: int
) -> tuple[np.ndarray, np.ndarray]:
    """For spans ``[start, end)`` of ``data``: whether each begins where a value begins (a line's
    start or after the delimiter) and whether each ends where a value ends (before the delimiter
    or a line break); the data's own start and end count as line breaks."""
    before = np.where(starts > 0, data[np.maximum(starts - 1, 0)], _LINE_FEED)
    after = np.where(ends < len(data), data[np.minimum(ends, len(data) - 1)], _LINE_FEED)
    at_start = (before == separator) | (before == _LINE_FEED)
    at_end = (after == separator) | (after == _LINE_FEED) | (after == _CARRIAGE_RETURN)
    return at_start, at_end


def _quotes_are_plain(block: bytes, delimiter: str) -> bool:
    """Whether every quote of ``block`` (whole lines) belongs to a well-formed quoted value within
    it: once the quotes written twice inside values are set aside, the quotes alternate between one
    that opens a value (at a line's start or after the delimiter) and one that closes it (before
    the delimiter or a line break). Then polars, for which every quote opens or closes a value,
    splits the block as a spreadsheet program does; else a quote stands inside an unquoted value
    (``5'10"``), after a closed one, or opens a value that goes on beyond the block.
    """
    if _doubled_quote_at_an_edge(np.frombuffer(block, dtype=np.uint8), ord(delimiter)):
        return False
    data = np.frombuffer(block.replace(b'""', b""), dtype=np.uint8)
    at = np.flatnonzero(data == _QUOTE)
    if at.size % 2:
        return False
    opens, closes = _at_value_edges(data, at, at + 1, ord(delimiter))
    return bool(opens[0::2].all() and closes[1::2].all())


def _doubled_quote_at_an_edge(data: np.ndarray, separator: int) -> bool:
    """Whether a run of an even number of quotes stands between a value's edge (a line's start or
    end, or the delimiter) and an ordinary character: ``""abc`` or ``abc""`` in an unquoted value,
    which the csv module reads as text and polars would not. (``"a"",b"``, a quote then the
    delimiter inside a quoted value, is taken for one too: the csv module reads it the same.)"""
    is_quote = data == _QUOTE
    if not is_quote.any():
        return False
    edges = np.flatnonzero(np.diff(np.concatenate(([False], is_quote, [False])).astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]  # each run of quotes: [start, end)
    even = (ends - starts) % 2 == 0
    edge_before, edge_after = _at_value_edges(data, starts, ends, separator)
    return bool((even & (edge_before != edge_after)).any())


def _record_starts(source: Path, header_line: int, delimiter: str) -> np.ndarray | None:
    """The line on which each record from the header on starts, or None when a quote needs the
    spreadsheet rule (see ``_quotes_are_plain``): the csv module reads such a file.

    Records are split as polars splits them: a line break inside a pair of quotes belongs to the
    value. A block of lines without a quote is counted, not walked line by line: every one of its
    lines starts a record.
    """
    parts: list[np.ndarray] = []
    lines_before = 0  # lines in the blocks already read
    for block in _line_blocks(source):
        count = block.count(b"\n") + (0 if block.endswith(b"\n") else 1)
        first, last = lines_before + 1, lines_before + count
        lines_before = last
        if last < header_line:
            continue
        if b'"' not in block:
            parts.append(np.arange(max(first, header_line), last + 1, dtype=np.int64))
            continue
        if not _quotes_are_plain(block, delimiter):
            return None
        starts: list[int] = []
        in_quote = False  # a plain block closes every quote it opens
        for line_number, line in enumerate(io.BytesIO(block), start=first):
            if line_number < header_line:
                continue
            if not in_quote:
                starts.append(line_number)
            if line.count(b'"') % 2:
                in_quote = not in_quote
        parts.append(np.array(starts, dtype=np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _unclosed_quote(file_name: str, line: int) -> FileRejected:
    return FileRejected(
        "unclosed_quote",
        f'{file_name}: line {line} opens a quoted value (a " character) that is never closed, so '
        "the rest of the file would read as one value. Close the quote, write a quote inside a value "
        'twice ("like ""this"""), or remove the stray quote, and drop the file again.',
    )


def _csv_module_read(
    source: Path, delimiter: str, header_end: int, positions: list[int], width: int, file_name: str
) -> tuple[pl.DataFrame, pl.Series]:
    """The records below the header as a spreadsheet program reads them (Python's csv module, as
    Excel and DuckDB): a quote opens a quoted value only where a value starts, so ``5'10"`` is a
    value like any other. For files whose quotes polars would misread; slower than polars.

    ``header_end`` is the line on which the header record ends (a header cell may hold a line
    break). Returns the columns at ``positions`` (named by position) and the line each record
    starts on. Raises ``unclosed_quote`` for a quoted value that runs to the end of the file, and
    ``ragged_rows`` for records with values beyond the header's ``width`` columns."""
    columns: list[list[str | None]] = [[] for _ in positions]
    starts: list[int] = []
    ragged: list[int] = []
    ragged_count = 0
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for _ in range(header_end):  # the title lines and the header itself
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        previous_end = header_end
        for cells in reader:
            starts.append(previous_end + 1)
            previous_end = header_end + reader.line_num
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                ragged_count += 1
                if len(ragged) < 5:
                    ragged.append(starts[-1])
            for column, position in zip(columns, positions, strict=True):
                column.append(cells[position] if position < len(cells) else None)
    if starts and _runs_to_the_end_in_a_quote(source, starts[-1], delimiter):
        raise _unclosed_quote(file_name, starts[-1])
    if ragged_count:
        raise _ragged_rows(file_name, ragged_count, ragged, header_end, delimiter)
    frame = pl.DataFrame(
        {str(p): pl.Series(values, dtype=pl.String) for p, values in zip(positions, columns, strict=True)}
    )
    return frame, pl.Series(ROW_COLUMN, starts, pl.Int64)


def _runs_to_the_end_in_a_quote(source: Path, start_line: int, delimiter: str) -> bool:
    """Whether the record starting on ``start_line`` (the last) is a quoted value never closed."""
    with open(source, encoding="utf-8-sig", newline="") as handle:
        for _ in range(start_line - 1):
            handle.readline()
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', strict=True)
        try:
            for _ in reader:
                pass
        except csv.Error as error:
            return "unexpected end of data" in str(error)
    return False


def _ragged_rows(
    file_name: str, count: int, lines: list[int], header_line: int, delimiter: str
) -> FileRejected:
    return FileRejected(
        "ragged_rows",
        f"{file_name}: {count} row(s) hold more values than the header on line {header_line} has columns "
        f"(first on line(s) {', '.join(map(str, lines))}); a value holding '{delimiter}' must be "
        "quoted. Export the file again and drop it again.",
    )


def _choose_delimiter(
    text: str, truncated: bool, matcher: _HeaderMatcher, file_name: str, kind: Kind
) -> tuple[str, _Records, int]:
    """(delimiter, the records read with it, index of the header record)."""
    found: list[tuple[int, int, str, _Records]] = []
    closest: tuple[int, str, _Records, _Candidate] | None = None
    for delimiter in (*ACCEPTED_DELIMITERS, *OTHER_DELIMITERS):
        records = _first_records(text, delimiter, truncated)
        index, candidate = _find_header(records.cells, matcher)
        if index is not None:
            if delimiter in OTHER_DELIMITERS:
                if not found:
                    raise FileRejected(
                        "delimiter",
                        f"{file_name} is separated by {OTHER_DELIMITERS[delimiter]}; the monitor reads CSV "
                        "separated by commas or semicolons. Save it as 'CSV (Comma delimited)' or as XLSX "
                        "and drop it again.",
                    )
                continue
            found.append((index, -len(candidate.matched), delimiter, records))
            continue
        score = len(candidate.matched & matcher.required)
        if closest is None or score > closest[0]:
            closest = (score, delimiter, records, candidate)
    if found:
        index, _, delimiter, records = min(found, key=lambda f: (f[0], f[1]))
        return delimiter, records, index
    assert closest is not None
    _, delimiter, records, candidate = closest
    if delimiter in OTHER_DELIMITERS:
        raise FileRejected(
            "delimiter",
            f"{file_name} seems separated by {OTHER_DELIMITERS[delimiter]}; the monitor reads CSV separated "
            "by commas or semicolons. Save it as 'CSV (Comma delimited)' or as XLSX and drop it again.",
        )
    raise _missing_columns_error(file_name, kind, matcher, records.cells, candidate, records.start_lines)


def _polars_read(
    source: Path, delimiter: str, header_line: int, positions: list[int], truncate: bool
) -> pl.DataFrame:
    return pl.read_csv(
        source,
        has_header=False,
        infer_schema=False,
        separator=delimiter,
        quote_char='"',
        skip_lines=header_line - 1,  # title lines, not parsed: they may hold anything
        columns=positions,
        encoding="utf8",
        truncate_ragged_lines=truncate,
        raise_if_empty=False,
    )


def _rows_with_extra_values(
    source: Path, delimiter: str, header_line: int, width: int, starts: np.ndarray
) -> tuple[list[int], int]:
    """(line numbers of the first few records with values beyond the header's width, their count)."""
    numbered = enumerate(_lines(source), start=1)
    lines = (line.decode("utf-8") for number, line in numbered if number >= header_line)
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"')
    bad: list[int] = []
    count = 0
    for record_index, cells in enumerate(reader):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            count += 1
            if len(bad) < 5 and record_index < len(starts):
                bad.append(starts[record_index])
    return bad, count


def _read_csv(
    path: Path, kind: Kind, settings: Settings, survey_year: int | None, scratch: Path | None
) -> RawTable:
    name = path.name
    scan = _scan_bytes(path, name)
    if not scan.utf8 and scan.has_utf8_multibyte:
        raise FileRejected(
            "encoding",
            f"{name} mixes two text encodings: it holds UTF-8 characters and also bytes that are not UTF-8 "
            f"(the first on line {scan.first_bad_line}). Open it in the program that made it, save it "
            "again as 'CSV UTF-8', and drop it again.",
        )
    encoding = ("utf-8-sig" if scan.has_bom else "utf-8") if scan.utf8 else "windows-1252"
    if scan.utf8 and not scan.has_bare_cr:
        return _read_utf8_csv(path, path, encoding, kind, settings, survey_year)
    # polars reads UTF-8 with LF line breaks only: convert a copy outside the inbox, which is never
    # written to, in ``scratch`` (the run's passes the state folder's, where row-level data belongs)
    if scratch is not None:
        scratch.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wres-read-", dir=scratch) as folder:
        converted = Path(folder) / "converted.csv"
        _normalised_copy(path, converted, windows_1252=not scan.utf8, line_breaks=scan.has_bare_cr)
        return _read_utf8_csv(path, converted, encoding, kind, settings, survey_year)


def _read_utf8_csv(
    path: Path, source: Path, encoding: str, kind: Kind, settings: Settings, survey_year: int | None
) -> RawTable:
    """Read ``source`` (UTF-8 text of the inbox file ``path``)."""
    name = path.name
    text, truncated = _read_prefix(source)
    matcher = _matcher(kind, settings, survey_year)
    delimiter, records, index = _choose_delimiter(text, truncated, matcher, name, kind)
    header_line = records.start_lines[index]
    header_cells = records.cells[index]
    choice = _resolve_header(header_cells, matcher, name, header_line)
    starts = _record_starts(source, header_line, delimiter)

    positions = sorted(choice.columns.values())
    canonical_at = {position: canonical for canonical, position in choice.columns.items()}
    if starts is None:
        header_end = records.end_lines[index]  # a header cell may hold a line break
        frame, rows = _csv_module_read(source, delimiter, header_end, positions, len(header_cells), name)
        frame.columns = [canonical_at[p] for p in positions]
        return _finish(frame, rows, kind, settings, header_line, "csv", encoding, delimiter, choice)
    try:
        frame = _polars_read(source, delimiter, header_line, positions, truncate=False)
    except pl.exceptions.ComputeError as error:
        if "more fields" not in str(error):
            # polars' own message may quote the file's values: say what and where, not those
            raise FileRejected(
                "malformed_csv",
                f"{name}: the rows below the header on line {header_line} could not be read as CSV "
                f"separated by '{delimiter}'. Check the file in a spreadsheet program, save it as CSV again "
                "and drop it again.",
            ) from None
        bad, count = _rows_with_extra_values(source, delimiter, header_line, len(header_cells), starts)
        if count:
            raise _ragged_rows(name, count, bad, header_line, delimiter) from None
        # only empty trailing fields (a delimiter at the end of data lines): nothing is lost
        frame = _polars_read(source, delimiter, header_line, positions, truncate=True)
    frame = frame.slice(1)  # the header record itself
    frame.columns = [canonical_at[p] for p in positions]
    if len(starts) - 1 == frame.height:
        rows = pl.Series(ROW_COLUMN, starts[1:], pl.Int64)
    else:  # cannot happen if polars splits records as _record_starts does; fall back to counting
        rows = pl.int_range(header_line + 1, header_line + 1 + frame.height, eager=True)
    return _finish(frame, rows, kind, settings, header_line, "csv", encoding, delimiter, choice)


# --------------------------------------------------------------------------------------------
# XLSX


_ZERO_PADDED = re.compile(r"0{2,}")  # a number format such as 00000000: digits padded with zeros


def cell_text(value: object, number_format: str | None = None) -> str | None:
    """A worksheet value as the text a person sees: ``12345.0`` -> ``"12345"``, a date -> ISO, and
    a whole number in a zero-padded format (``00000000``, as ESR employee numbers are often shown)
    padded as shown.

    >>> [cell_text(v) for v in (12345.0, 0.5, True, dt.datetime(2025, 3, 31), None)]
    ['12345', '0.5', 'True', '2025-03-31', None]
    >>> cell_text(123, "00000000"), cell_text(123.0, "00000000"), cell_text(123, "General")
    ('00000123', '00000123', '123')
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        if number_format and _ZERO_PADDED.fullmatch(number_format):
            return str(value).zfill(len(number_format))
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits: 0.1 + 0.2 is shown (and meant) as 0.3
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _candidate_sheets(workbook: Workbook, kind: Kind) -> list[Worksheet]:
    """The sheets that may hold the kind's table, in the order they are tried: those named like the
    kind (``Staff in post``), then those whose name starts so (``Staff Survey 2024``), then the first
    sheet."""
    kind_name = normalise_header(kind.name)
    titles = [normalise_header(sheet.title) for sheet in workbook.worksheets]
    candidates: list[Worksheet] = []
    for named_like in (lambda title: title == kind_name, lambda title: title.startswith(kind_name)):
        for sheet, title in zip(workbook.worksheets, titles, strict=True):
            if named_like(title) and sheet not in candidates:
                candidates.append(sheet)
    if workbook.worksheets[0] not in candidates:
        candidates.append(workbook.worksheets[0])
    return candidates


def _read_xlsx(path: Path, kind: Kind, settings: Settings, survey_year: int | None) -> RawTable:
    import openpyxl  # imported here: only XLSX files pay for it

    name = path.name
    # a file object, not the path: openpyxl refuses names that do not end .xlsx, and a workbook
    # saved under a .csv name is still the user's extract
    with open(path, "rb") as handle:
        try:
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a damaged file
            if path.suffix.lower() != ".xlsx":
                raise FileRejected(
                    "binary_file",
                    f"{name} is not a text file: it is a ZIP archive that is not a readable workbook. Export "
                    "the report again as CSV or XLSX.",
                ) from None
            raise FileRejected(
                "corrupt_xlsx",
                f"{name} is not a readable Excel workbook ({type(error).__name__}). Open it in Excel, save "
                "it as .xlsx (or CSV) and drop it again.",
            ) from None
        try:
            return _read_workbook(workbook, name, kind, settings, survey_year)
        except FileRejected:
            raise
        except Exception as error:
            raise FileRejected(
                "corrupt_xlsx",
                f"{name}: the workbook could not be read to the end ({type(error).__name__}). Open it in "
                "Excel, save it as .xlsx (or CSV) and drop it again.",
            ) from None
        finally:
            workbook.close()


# A formula cell whose value was never calculated: a workbook written by a program (openpyxl, a
# script) rather than saved by Excel or LibreOffice holds the formula and an empty value, which
# openpyxl reads as blank. An empty value is a calculated result only for a text formula (t="str").
_UNCALCULATED_FORMULA = re.compile(
    rb"<((?:[A-Za-z_][\w.-]*:)?)c\b([^>]*)>\s*<\1f\b(?:[^>]*/>|[^>]*>.*?</\1f>)\s*"
    rb"(?:<\1v\s*/>|<\1v>\s*</\1v>|(?=</\1c>))",
    re.S,
)
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]+)([0-9]+)"')
_TEXT_RESULT = re.compile(rb'\bt="(?:str|inlineStr)"')


def _column_number(letters: str) -> int:
    """``A`` -> 1, ``Z`` -> 26, ``AA`` -> 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _uncalculated_cells(xml: bytes) -> Iterator[tuple[str, int]]:
    """(column letters, row) of each formula cell in ``xml`` (part of a sheet) with no value."""
    if b"<f" not in xml and b":f" not in xml:
        return
    for found in _UNCALCULATED_FORMULA.finditer(xml):
        attributes = found.group(2)
        reference = _CELL_REFERENCE.search(attributes)
        if reference and not _TEXT_RESULT.search(attributes):
            yield reference.group(1).decode("ascii"), int(reference.group(2))


def _reject_uncalculated_formulas(
    sheet: Worksheet, name: str, columns: dict[int, str], header_row: int
) -> None:
    """Reject the workbook when a column read holds formulas below the header that were never
    calculated (read as blank, their rows would load with the value missing or be refused for it).

    The sheet's XML is scanned in blocks that end at a row's tag, as openpyxl does not say whether
    a blank value came from a formula.
    """
    found: list[tuple[int, str, str]] = []  # (row, cell, column)

    def scan(block: bytes) -> None:
        for letters, row in _uncalculated_cells(block):
            column = columns.get(_column_number(letters) - 1)
            if column is not None and row > header_row:
                found.append((row, f"{letters}{row}", column))

    carry = b""
    with sheet._get_source() as source:  # the sheet's XML part, as openpyxl's reader opens it
        while chunk := source.read(_SCAN_CHUNK_BYTES):
            data = carry + chunk
            cut = data.rfind(b"row>")
            if cut < 0:
                carry = data
                continue
            scan(data[: cut + 4])
            carry = data[cut + 4 :]
    scan(carry)
    if not found:
        return
    found.sort()
    shown = ", ".join(cell for _, cell, _ in found[:10])
    if len(found) > 10:
        shown += f" (the first 10 of {len(found)})"
    columns_hit = sorted({column for *_, column in found})
    named = ", ".join(columns_hit)
    raise FileRejected(
        "uncalculated_formula",
        f'{name} (sheet "{sheet.title}"), {"column" if len(columns_hit) == 1 else "columns"} {named}: '
        f"{plural(len(found), 'formula cell')} whose values were never calculated ({shown}); they would "
        "read as blank. The workbook was written by a program "
        "that does not calculate formulas: open it in Excel or LibreOffice, save it, and drop it again.",
        named,
    )


def _has_text(head: list[list[str]]) -> bool:
    return any(any(c.strip() for c in cells) for cells in head)


def _read_workbook(
    workbook: Workbook, name: str, kind: Kind, settings: Settings, survey_year: int | None
) -> RawTable:
    matcher = _matcher(kind, settings, survey_year)
    # the first candidate sheet whose first rows hold the header; a summary sheet named like the
    # kind ("Staff in Post Summary") does not hide the data on the first sheet
    tried: list[tuple[Worksheet, list[list[str]], int | None, object]] = []
    for sheet in _candidate_sheets(workbook, kind):
        sheet.reset_dimensions()  # exporters often write a wrong size; read what is there
        rows = ([cell_text(cell.value, cell.number_format) for cell in cells] for cells in sheet.iter_rows())
        head: list[list[str]] = []
        for texts in rows:
            head.append([text or "" for text in texts])
            if len(head) >= HEADER_SEARCH_ROWS:
                break
        index, candidate = _find_header(head, matcher) if _has_text(head) else (None, None)
        tried.append((sheet, head, index, candidate))
        if index is not None:
            break
    if index is None:
        with_text = [attempt for attempt in tried if _has_text(attempt[1])]
        sheet, head, _, candidate = (with_text or tried)[0]
        others = [other.title for other, *_ in tried if other is not sheet]
        also = f"; also looked in sheet(s) {', '.join(map(repr, others))}" if others else ""
        if not with_text:
            raise FileRejected(
                "empty_file",
                f'{name}: the sheet "{sheet.title}" is empty{also}. Export the report again and drop it.',
            )
        where = f'{name} (sheet "{sheet.title}"{also})'
        raise _missing_columns_error(where, kind, matcher, head, candidate, list(range(1, len(head) + 1)))
    header_row = index + 1
    choice = _resolve_header(head[index], matcher, name, header_row)
    order = sorted(choice.columns.items(), key=lambda item: item[1])
    values: dict[str, list[str | None]] = {canonical: [] for canonical, _ in order}
    numbers: list[int] = []

    def take(row_number: int, texts: Sequence[str | None]) -> None:
        numbers.append(row_number)
        for canonical, position in order:
            values[canonical].append((texts[position] or None) if position < len(texts) else None)

    for offset, texts in enumerate(head[index + 1 :], start=header_row + 1):
        take(offset, texts)
    for row_number, texts in enumerate(rows, start=len(head) + 1):
        take(row_number, texts)
    _reject_uncalculated_formulas(sheet, name, {p: c for c, p in order}, header_row)
    frame = pl.DataFrame({c: pl.Series(c, v, pl.String) for c, v in values.items()})
    return _finish(frame, numbers, kind, settings, header_row, "xlsx", None, None, choice)


# --------------------------------------------------------------------------------------------


def read_raw(
    path: Path, kind: Kind, settings: Settings, survey_year: int | None = None, scratch: Path | None = None
) -> RawTable:
    """Read one inbox file of ``kind`` into a :class:`RawTable` (every value text, canonical names).

    The format comes from the bytes: a ZIP container is read as XLSX, anything else as CSV (an
    ``.xlsx`` name holding text is rejected as not a workbook). ``survey_year`` picks the staff
    survey's question columns (``settings.survey_columns``). Raises FileRejected for a file whose
    structure cannot be read; a header with no rows is returned as an empty frame. A CSV that must be
    converted first (Windows-1252, CR line breaks) is copied into a temporary folder in ``scratch``
    (None: the system's), removed once read.
    """
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(len(_ZIP_MAGIC))
    if magic == _ZIP_MAGIC:
        return _read_xlsx(path, kind, settings, survey_year)
    if path.suffix.lower() == ".xlsx":
        if magic == _OLE2_MAGIC[: len(magic)] and magic:
            raise FileRejected(
                "corrupt_xlsx",
                f"{path.name} is an old-format (.xls) or password-protected workbook: save it as .xlsx "
                "without a password (or as CSV) and drop it again.",
            )
        if not magic:
            raise FileRejected("empty_file", f"{path.name} is empty: export the report again and drop it.")
        raise FileRejected(
            "corrupt_xlsx",
            f"{path.name} is named .xlsx but is not an Excel workbook (if it is a CSV file, name it .csv).",
        )
    return _read_csv(path, kind, settings, survey_year, scratch)

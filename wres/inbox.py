"""Find the files in the inbox and say what each one is (CONTRACT section 1).

The kind and date come from the file name, case-insensitively (``wres.kinds.KINDS[*].pattern``);
a file is identified by the SHA-256 of its bytes, so the same bytes dropped twice under any name
load once. The inbox is read-only: nothing here writes, moves or renames a user's file.
"""

from __future__ import annotations

import hashlib
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wres.kinds import KINDS, Kind

HASH_CHUNK_BYTES = 1 << 20

# files the operating system or Office leave behind: not the user's extracts, so not reported
_SYSTEM_FILE_NAMES = frozenset({"thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class InboxFile:
    path: Path
    name: str
    kind: str
    file_date: date | None  # the date in the name (None for the survey, catchment, references)
    survey_year: int | None  # staff_survey_YYYY only
    reference_name: str | None  # reference_NAME only
    sha256: str
    size: int
    # when the bytes were last changed, as found before they were hashed (None: not known)
    modified_ns: int | None = None

    @property
    def identity(self) -> tuple[str | None, date | None, int | None, str | None]:
        """What the name says: kind, date, survey year, reference name."""
        return (self.kind, self.file_date, self.survey_year, self.reference_name)


@dataclass(frozen=True)
class UnrecognisedFile:
    path: Path
    name: str
    reason: str
    kind: str | None = None  # set when the name has a kind's form but an impossible date: a rejection
    check: str = "file_name"  # the rejection's check: file_name, or unreadable_file


def file_hash(path: Path) -> str:
    """SHA-256 of the file's bytes as 64 hex characters, read in 1 MiB chunks (files may be 300 MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def name_template(kind: Kind) -> str:
    """The file-name form a person types for ``kind``, e.g. ``staff_in_post_YYYY-MM-DD.csv``."""
    stem = {
        "date": f"{kind.name}_YYYY-MM-DD",
        "year": f"{kind.name}_YYYY",
        "name": f"{kind.name}_NAME",
        "none": kind.name,
    }[kind.date_in_name]
    return f"{stem}.csv"


def accepted_names() -> str:
    """The accepted file-name forms, for messages."""
    return ", ".join(name_template(k) for k in KINDS.values()) + " (each also as .xlsx)"


# what may follow a kind's name in a misnamed extract: digits and separators (a date in another
# form), a copy's "(1)" or "- Copy", and extensions; no other word, so that a file named after a
# person ("disciplinary hearing Jane Doe.docx") is never taken for one (its name is not published)
_MISNAMED_ENDING = re.compile(r"[\d_().]*(?:copy[\d_().]*)?(?:\.[a-z0-9]{1,5})*")


def resembled_kind(name: str) -> Kind | None:
    """The kind whose form a file name nearly follows (spaces or hyphens for underscores, a UK
    date, a copy's ``(1)``, another extension): a file meant for the monitor, misnamed.

    >>> resembled_kind("Staff in post 31-03-2025.csv").name, resembled_kind("notes.txt")
    ('staff_in_post', None)
    >>> resembled_kind("disciplinary hearing Jane Doe.docx") is None
    True
    """
    simple = re.sub(r"[\s\-]+", "_", name.strip().lower())
    for kind in sorted(KINDS.values(), key=lambda k: -len(k.name)):
        if simple.startswith(kind.name) and _MISNAMED_ENDING.fullmatch(simple[len(kind.name) :]):
            return kind
    return None


_FORM_OF_THE_NAME = {
    "date": "underscores, the date written YYYY-MM-DD, nothing between it and .csv or .xlsx",
    "year": "underscores, the survey year written YYYY, nothing between it and .csv or .xlsx",
    "name": "an underscore, then a name of letters, digits, _ or -, then .csv or .xlsx",
    "none": "exactly that name, .csv or .xlsx",
}


def _is_ignored(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name.startswith("~$") or name.lower() in _SYSTEM_FILE_NAMES


def classify(path: Path) -> InboxFile | UnrecognisedFile:
    """What one file is, from its name (and its bytes, for the hash).

    ``Staff_In_Post_2025-03-31.CSV`` is kind ``staff_in_post`` with file_date 2025-03-31;
    ``staff_survey_2024.xlsx`` is ``staff_survey`` with survey_year 2024 and no file_date.
    """
    name = path.name
    for kind in KINDS.values():
        match = kind.pattern.match(name)
        if match is None:
            continue
        file_date: date | None = None
        survey_year: int | None = None
        reference_name: str | None = None
        if kind.date_in_name == "date":
            text = match.group("date")
            try:
                file_date = date.fromisoformat(text)
            except ValueError:
                return UnrecognisedFile(
                    path,
                    name,
                    f"the name looks like {name_template(kind)} but {text} is an impossible date: "
                    "rename the file with the real date (YYYY-MM-DD)",
                    kind.name,
                )
        elif kind.date_in_name == "year":
            survey_year = int(match.group("year"))
            if survey_year < 1:
                return UnrecognisedFile(
                    path,
                    name,
                    f"the name looks like {name_template(kind)} but year 0000 is impossible",
                    kind.name,
                )
        elif kind.date_in_name == "name":
            reference_name = match.group("name")
        try:
            found = path.stat()
            sha256 = file_hash(path)
        except OSError as error:  # no permission, or gone since the folder was listed: a rejection
            return UnrecognisedFile(
                path,
                name,
                f"the file cannot be read ({error.strerror}): give the job permission to read it",
                kind.name,
                "unreadable_file",
            )
        size, modified = found.st_size, found.st_mtime_ns
        identity = (kind.name, file_date, survey_year, reference_name)
        return InboxFile(path, name, *identity, sha256, size, modified)
    resembled = resembled_kind(name)
    if resembled is not None:
        return UnrecognisedFile(
            path,
            name,
            f"the name starts like {name_template(resembled)} but does not follow it "
            f"({_FORM_OF_THE_NAME[resembled.date_in_name]}): the file is left where it is and not "
            "loaded; rename it to load it.",
        )
    return UnrecognisedFile(
        path,
        name,
        f"the name matches none of the accepted forms: {accepted_names()}; names are matched "
        "case-insensitively. The file is left where it is and not loaded.",
    )


def holds_an_extract(inbox: Path) -> bool:
    """Whether ``inbox`` holds a file named as an extract of some kind (its name only: nothing read)."""
    return any(
        any(kind.pattern.match(path.name) for kind in KINDS.values()) and path.is_file()
        for path in Path(inbox).iterdir()
        if not _is_ignored(path)
    )


def discover(inbox: Path) -> tuple[list[InboxFile], list[UnrecognisedFile]]:
    """Every regular file directly in ``inbox`` (sorted by name), as recognised or unrecognised.

    Subfolders, hidden files (``.DS_Store``), Office lock files (``~$book.xlsx``) and
    ``Thumbs.db`` / ``desktop.ini`` are skipped silently; a folder or a dangling link named like an
    extract is reported as left alone. A name that fits a kind's form but holds
    an impossible date (``staff_in_post_2025-02-30.csv``), or a file of such a name that cannot be
    read, is unrecognised with its kind, and a reason saying so: the run rejects it.
    """
    recognised: list[InboxFile] = []
    unrecognised: list[UnrecognisedFile] = []
    entries = [path for path in sorted(Path(inbox).iterdir(), key=lambda p: p.name) if not _is_ignored(path)]
    paths = [path for path in entries if path.is_file()]
    for other in entries:  # a folder, or a link to nothing, named like an extract: said, not skipped
        if not other.is_file() and any(kind.pattern.match(other.name) for kind in KINDS.values()):
            what = "a folder" if other.is_dir() else "a link to a file that does not exist"
            unrecognised.append(
                UnrecognisedFile(other, other.name, f"it is {what}, not a file: left alone, nothing read")
            )
    # hashing reads every byte (1 GB for a national inbox): hashlib releases the GIL on large
    # chunks, so the files hash on every core; results keep the sorted order
    with ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1) or 1) as pool:
        results = list(pool.map(classify, paths))
    for result in results:
        if isinstance(result, InboxFile):
            recognised.append(result)
        else:
            unrecognised.append(result)
    return recognised, sorted(unrecognised, key=lambda u: u.name)

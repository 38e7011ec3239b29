"""Exceptions that carry a message a person can act on."""

from __future__ import annotations


class WresError(Exception):
    """Base class for the monitor's own errors."""


class ConfigError(WresError):
    """A usage or settings problem (exit code 2)."""


class FileRejected(WresError):
    """A file failed a critical check before validation could run on its rows.

    ``check`` names the check (as recorded in ``ops.validation_results``), ``column`` the column
    concerned (or None), and the message says what is wrong and what to do about it.
    """

    def __init__(self, check: str, message: str, column: str | None = None):
        super().__init__(message)
        self.check = check
        self.column = column
        self.message = message

"""Conductor's exception tree.

    ConductorError
    ├── ConfigError          a setting is wrong; the message names it and the fix
    ├── DatabaseError        the database is unreachable or its schema is not current
    ├── NotFound             a customer, transaction, product ... does not exist
    ├── InvalidInput         a value given by a person or a file is not acceptable
    │   ├── RowError         one row of an import file is bad (carries its line number)
    │   ├── UploadError      a receipt upload is not a photo we accept (loyalty.photo)
    │   └── ReceiptImageError  a receipt image cannot be decoded (loyalty.ocr)
    ├── MergeError           a duplicate group cannot be merged as asked
    ├── MailError            an e-mail was not sent; ``permanent`` tells retry logic what to do
    ├── OcrError             tesseract failed or timed out on a receipt (loyalty.ocr)
    └── VisionError          the vision model gave no usable reading; ``permanent`` as above

Callers catch the narrowest class they can act on; the CLI turns any ConductorError into a
one-line message and exit code 1.
"""

from __future__ import annotations


class ConductorError(Exception):
    """Base class of every error Conductor raises on purpose."""


class ConfigError(ConductorError):
    """A setting is missing or invalid."""

    def __init__(self, setting: str, problem: str, fix: str) -> None:
        self.setting = setting
        self.problem = problem
        self.fix = fix
        super().__init__(f"{setting}: {problem} (fix: {fix})")


class DatabaseError(ConductorError):
    """The database cannot be reached or its schema is not at the current revision."""


class NotFound(ConductorError):
    """The thing asked for does not exist."""


class InvalidInput(ConductorError):
    """A value is not acceptable."""


class RowError(InvalidInput):
    """One row of an import file is bad."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason if line is None else f"line {line}: {reason}")


class MergeError(ConductorError):
    """A merge of duplicate customers cannot be done as asked."""


class MailError(ConductorError):
    """An e-mail was not sent.

    ``permanent`` is the one attribute retry logic reads, as for the modem's errors: a 5xx
    answer (no such user, relaying denied, login refused) will fail the same way again; a 4xx
    answer, a refused or dropped connection or a timeout may succeed later. ``smtp_code`` is the
    server's reply code when there was one.
    """

    def __init__(self, message: str, *, permanent: bool, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.smtp_code = smtp_code

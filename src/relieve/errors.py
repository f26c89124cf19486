"""One exception family for the whole package.

Every error a user can cause is a ``RelieveError``: the CLI turns it into a one-line
message and exit code 2, the web app into HTTP 422. ``field`` names the offending
input (a JSON path such as ``movements.rotation_left.pain``, a CLI option, or an
element of a model file) so the message can point at it.
"""

from __future__ import annotations


class RelieveError(Exception):
    """Base class: a problem with what the user asked for or gave us."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ModelError(RelieveError):
    """A model file is missing, malformed, or uses something we cannot honour."""


class UnknownNameError(RelieveError):
    """A muscle, side, coordinate or posture variable that does not exist."""


class ValidationError(RelieveError):
    """An input document (findings, posture) failed validation.

    ``problems`` lists every ``(field, message)`` found, not only the first, so a
    person can fix a document in one go.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = list(problems)
        text = "; ".join(f"{f}: {m}" for f, m in self.problems)
        super().__init__(text)

    def __str__(self) -> str:
        return self.message


class ReferralRequired(RelieveError):
    """The findings need a health professional first: no technique is given.

    ``refer`` is the contract's section 4 ``refer`` object (urgency, reasons,
    advice); front ends print it (CLI exit code 2) or return it (HTTP 409).
    """

    def __init__(self, refer: dict):
        self.refer = dict(refer)
        super().__init__(
            "no technique: these findings need a doctor first (" + refer["urgency"] + "): "
            + " ".join(refer["reasons"]) + " " + refer["advice"],
            field="findings",
        )

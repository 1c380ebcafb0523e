"""The application's own errors: each carries the sentence a person reads.

The CLI's single exit point prints ``AttuneError.message`` (a traceback only with
``--debug``); pages show it next to the form that failed.
"""

from __future__ import annotations


class AttuneError(Exception):
    """An error with a clear, user-facing message and an exit/HTTP status."""

    exit_code = 1
    http_status = 400
    message = "Something went wrong."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)


class NotFound(AttuneError):
    http_status = 404
    message = "That item does not exist, or it is not yours to see."


class ImportFailed(AttuneError):
    """An import found problems and added nothing."""

    exit_code = 3

    def __init__(self, problems: list[str], fmt: str) -> None:
        self.problems = problems
        shown = "; ".join(problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"Nothing was imported: the {fmt} file has problems. {shown}{more}")

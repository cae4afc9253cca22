"""Plumbing the front ends' views share: one way to run a service and show its refusal on the
page (:func:`domain_errors`), one way to stream a CSV download (:func:`csv_lines`), and one way to
send an uploaded file back (:func:`uploaded_file_response`).

A service refuses with a ``ValidationError`` (keyed by field, or a message only) or with a
:class:`~tongban.core.errors.DomainError` (``ConflictError``: the object changed or already exists;
``PermissionDeniedError``: the actor may not). Uncaught, a domain error becomes the one error page
(or JSON) of ``core.middleware.DomainErrorMiddleware``, with its status. A view that shows the
refusal on its own page instead runs the service inside :func:`domain_errors`::

    with domain_errors(request, form) as done:
        power_grant(...)
    if done:
        messages.success(request, ...)
        return redirect(...)
    return render(request, ..., {"form": form})  # the form now holds the service's errors

Where the refusal is shown:

- with a form: a field-keyed ``ValidationError`` on the form's fields (a key the form has no field
  for among its non-field errors; a form may rename keys in its ``add_service_error``), any other
  refusal among the form's non-field errors (the error summary shows them);
- without a form: as the page's error message (``django.contrib.messages``), shown by the page the
  view redirects to: a ``ValidationError``'s messages joined by spaces, a domain error's message.

``catch`` names the refusals the view shows itself (default: all three kinds); any other is not
caught, so a domain error the view leaves out still gets the error page and its status.

A CSV download is streamed line by line (``StreamingHttpResponse(csv_lines(header, rows))``): it
starts with a byte-order mark, so that spreadsheets read it as UTF-8, and no cell is ever run as a
formula (:func:`csv_cell`).

An uploaded file (a material, in the portal or the back office) is always sent as a download,
never shown inline, under ``Content-Security-Policy: sandbox`` and ``nosniff`` (ADR 0027): even a
file that slipped through the content checks cannot run script in the platform's origin.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest

from tongban.core.errors import ConflictError, DomainError, PermissionDeniedError
from tongban.core.forms import TongbanForm, add_service_error

Refusal = ValidationError | DomainError
RefusalType = type[ValidationError] | type[DomainError]
#: The refusals a view shows on its page unless it names fewer.
REFUSALS: tuple[RefusalType, ...] = (ValidationError, ConflictError, PermissionDeniedError)


class Outcome:
    """What :func:`domain_errors` yields: true once the block has run to its end; ``error`` is the
    refusal that stopped it (None if it ran through)."""

    __slots__ = ("done", "error")

    def __init__(self) -> None:
        self.done = False
        self.error: Refusal | None = None

    def __bool__(self) -> bool:
        return self.done


def refusal_text(error: Refusal) -> str:
    """A refusal as one line for a page message."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error.message)


def show_refusal(request: HttpRequest, error: Refusal, form: BaseForm | None = None) -> None:
    """Put a refusal where the page shows it: on the form if there is one, else in the messages."""
    if form is None:
        messages.error(request, refusal_text(error))
    elif not isinstance(error, ValidationError):
        form.add_error(None, str(error.message))
    elif isinstance(form, TongbanForm):
        form.add_service_error(error)  # the form's own mapping: it may rename a key
    else:
        add_service_error(form, error)


@contextmanager
def domain_errors(
    request: HttpRequest, form: BaseForm | None = None, *, catch: tuple[RefusalType, ...] = REFUSALS
) -> Iterator[Outcome]:
    """Run the block; a refusal of a kind in ``catch`` stops it and is shown (see the module's
    docstring). The :class:`Outcome` yielded is true if the block ran to its end."""
    outcome = Outcome()
    try:
        yield outcome
    except (ValidationError, DomainError) as error:
        if not isinstance(error, catch):
            raise  # not one the view shows: the error page (a domain error) or a server error
        outcome.error = error
        show_refusal(request, error, form)
    else:
        outcome.done = True


# --- CSV downloads ---------------------------------------------------------------------------------

#: Cells a spreadsheet would read as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_lines(header: Sequence[object], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """A CSV file line by line, for a ``StreamingHttpResponse``: a byte-order mark and the header,
    then the rows as they come (a generator's rows are made only as the response streams)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(str(cell)) for cell in header])
    for row in rows:
        yield writer.writerow([csv_cell(cell) for cell in row])


def uploaded_file_response(file: IO[bytes], *, content_type: str, filename: str) -> FileResponse:
    """An uploaded file as a download: ``attachment``, sandboxed, not sniffed, not cached."""
    response = FileResponse(file, content_type=content_type, as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

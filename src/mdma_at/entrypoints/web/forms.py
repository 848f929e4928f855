"""A posted form's fields as a dependency, and a refused form's errors field by field.

Reading the body is asynchronous, so a handler that read it itself had to be `async def`, and
then ran its database work and scoring on the event loop, stalling every other request (issue
10). With the fields read by this dependency on the loop, handlers are plain functions that
FastAPI runs in its thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mdma_at.domain.errors import Conflict, InvalidInput, InvalidInputs


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


FormFields = Annotated[dict[str, str], Depends(_fields)]


def field_errors(refused: InvalidInput | Conflict, prefix: str = "") -> dict[str, str]:
    """Each wrong field of a refused form and why, for the page to mark them all at once (issue
    13, item 6; templates/_form_errors.html): `prefix` is taken off the names (``vitals.``); a
    refusal that names no field (a conflict) is keyed ``form``."""
    if isinstance(refused, InvalidInputs):
        problems = list(refused.problems)
    elif isinstance(refused, InvalidInput):
        problems = [(refused.field, refused.reason)]
    else:
        problems = [("form", str(refused))]
    return {field.removeprefix(prefix): reason for field, reason in problems}

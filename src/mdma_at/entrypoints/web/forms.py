"""A posted form's fields as a dependency.

Reading the body is asynchronous, so a handler that read it itself had to be `async def`, and
then ran its database work and scoring on the event loop, stalling every other request (issue
10). With the fields read by this dependency on the loop, handlers are plain functions that
FastAPI runs in its thread pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


async def _fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


FormFields = Annotated[dict[str, str], Depends(_fields)]

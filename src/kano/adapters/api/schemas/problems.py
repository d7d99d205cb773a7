"""RFC 9457 problem details: the one body every API error has."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """What went wrong, in the shape of RFC 9457 (``application/problem+json``)."""

    type: str = Field(
        "about:blank",
        description="A URI naming the kind of problem; `about:blank` means the HTTP status "
        "says it all.",
    )
    title: str = Field(description="The HTTP status phrase, e.g. `Unauthorized`.")
    status: int = Field(description="The HTTP status code, repeated for convenience.")
    detail: str | None = Field(None, description="What happened here, for a human to read.")
    instance: str | None = Field(None, description="The path of the request that failed.")


class FieldError(BaseModel):
    """One invalid input, named so a client can point at it."""

    field: str = Field(
        description="Dotted path of the parameter or body field, e.g. `limit` or "
        "`answers.nps`.",
        examples=["limit"],
    )
    message: str = Field(description="What is wrong with it.", examples=[
        "Input should be greater than or equal to 1"
    ])


class ValidationProblem(Problem):
    """A 422: every invalid parameter is listed; ``detail`` names the first."""

    errors: list[FieldError] = Field(description="Each invalid field, in request order.")

"""Turn a use case's FieldErrors into the API's 422 answer, shaped like FastAPI's own validation errors."""

from __future__ import annotations

from typing import NoReturn

from fastapi.exceptions import RequestValidationError

from hotpot.validation import FieldErrors


def raise_422(exc: FieldErrors) -> NoReturn:
    errors = [
        {
            "loc": ("body", *([] if field == "__all__" else field.split("."))),
            "msg": msg,
            "type": "value_error",
            "ctx": {"error": msg},
        }
        for field, msg in exc.errors.items()
    ]
    raise RequestValidationError(errors) from exc

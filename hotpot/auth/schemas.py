"""Input and output shapes of the account use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from hotpot.validation import FieldErrors, Id, InputSchema, normalize_phone, parse_form


class RegisterIn(InputSchema):
    email: EmailStr = Field(max_length=254)
    display_name: str = Field(min_length=2, max_length=50)
    organization: str = Field(min_length=2, max_length=100)
    phone: str | None = None
    role: Literal["producer", "buyer"]
    password: str = Field(max_length=128)
    password_confirm: str
    agree: Literal["on", "yes", "true", True]

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalize_phone(v) if v else None


def parse_registration(form: dict) -> RegisterIn:
    """Validate a registration form, reporting every field's problem in one round (the password's strength and
    the confirmation's mismatch included, each under its own field)."""
    from hotpot.auth.passwords import password_problem

    errors: dict[str, str] = {}
    data = None
    try:
        data = parse_form(RegisterIn, form)
    except FieldErrors as exc:
        errors.update(exc.errors)
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    confirm = form.get("password_confirm") if isinstance(form.get("password_confirm"), str) else ""
    email = form.get("email") if isinstance(form.get("email"), str) else None
    if password and "password" not in errors:
        problem = password_problem(password, email=(email or "").strip() or None)
        if problem:
            errors["password"] = problem
    if password and confirm and password != confirm and "password_confirm" not in errors:
        errors["password_confirm"] = "两次输入的密码不一致"  # noqa: S105 - a field name, not a secret
    if errors or data is None:
        raise FieldErrors(errors)
    return data


class LoginIn(InputSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)
    next: str | None = None
    # The one-time code mailed to the owner when the login limits ask for one.
    code: str | None = Field(default=None, max_length=12)


class ForgotIn(InputSchema):
    email: EmailStr = Field(max_length=254)


class PasswordResetIn(InputSchema):
    token: str = Field(max_length=100)
    new_password: str = Field(max_length=128)
    new_password_confirm: str = Field(max_length=128)


class AdminResetIn(InputSchema):
    mode: Literal["password", "link"]


class PasswordChangeIn(InputSchema):
    current_password: str = Field(max_length=128)
    new_password: str = Field(max_length=128)
    new_password_confirm: str = Field(max_length=128)


class StaffCreateIn(InputSchema):
    email: EmailStr = Field(max_length=254)
    display_name: str = Field(min_length=2, max_length=50)
    organization: str | None = Field(default=None, max_length=100)
    role: Literal["admin", "reviewer", "producer", "buyer", "expert"]


class RoleChangeIn(InputSchema):
    role: Literal["admin", "reviewer", "producer", "buyer", "expert"]
    version: Id  # 32-bit like an id


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str
    organization: str | None
    role: str
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int

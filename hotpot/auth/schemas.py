"""Input and output shapes of the account use cases."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from hotpot.validation import Id, InputSchema, normalize_phone


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

    @model_validator(mode="after")
    def _confirm(self) -> RegisterIn:
        if self.password != self.password_confirm:
            raise ValueError("两次输入的密码不一致")
        return self


class LoginIn(InputSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)
    next: str | None = None


class PasswordChangeIn(InputSchema):
    current_password: str = Field(max_length=128)
    new_password: str = Field(max_length=128)
    new_password_confirm: str = Field(max_length=128)


class StaffCreateIn(InputSchema):
    email: EmailStr = Field(max_length=254)
    display_name: str = Field(min_length=2, max_length=50)
    organization: str | None = Field(default=None, max_length=100)
    role: Literal["admin", "reviewer", "producer", "buyer"]


class RoleChangeIn(InputSchema):
    role: Literal["admin", "reviewer", "producer", "buyer"]
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

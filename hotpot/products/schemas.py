"""Input and output shapes of products."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from hotpot.products.models import PRICE_UNITS
from hotpot.validation import Id, InputSchema

STANDARD_RE = re.compile(
    r"^(GB/T|GB|SB/T|NY/T|QB/T|DB\d{0,6}(/T)?|T/[A-Z]{2,12}|Q/[A-Z0-9]{1,12})\s?[0-9A-Z][0-9A-Z.\-—S]*$"
)
# An English trade name: Latin letters, digits, spaces and the punctuation of catalogue names ("Beef omasum",
# "Thousand-layer tofu", "Chili & garlic dip (500g)"), with at least one letter.
NAME_EN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .,'&()/+%-]*$")
NAME_EN_MESSAGE = "英文名称只能包含英文字母、数字、空格和常用标点（. , ' & - / ( )），如 Beef omasum"


class ProductIn(InputSchema):
    category: str = Field(max_length=40)
    name: str = Field(min_length=2, max_length=60)
    name_en: str | None = Field(default=None, max_length=120)
    spec: str = Field(min_length=2, max_length=100)
    storage: Literal["frozen", "chilled", "ambient"]
    shelf_life_days: int | None = Field(default=None, ge=1, le=3650)
    standard_code: str | None = Field(default=None, max_length=50)
    min_order: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    min_order_unit: str | None = Field(default=None, max_length=10)
    price_min: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    price_max: Decimal | None = Field(default=None, ge=0, le=10_000_000, max_digits=12, decimal_places=2)
    price_unit: str | None = Field(default=None, max_length=10)
    description: str | None = Field(default=None, max_length=2000)
    brand_id: Id | None = None

    @field_validator("standard_code")
    @classmethod
    def _standard(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = re.sub(r"\s+", " ", v.upper().replace("／", "/").replace("－", "-"))
        if not STANDARD_RE.match(v):
            raise ValueError(
                "执行标准应为 GB、GB/T、SB/T、NY/T、DB、T/（团体标准）或 Q/（企业标准）开头的编号，如 GB/T 20712-2022"
            )
        return v

    @field_validator("name_en", mode="before")
    @classmethod
    def _name_en_width(cls, v):
        # Full-width letters and punctuation typed with a Chinese input method count as their ASCII forms.
        return " ".join(unicodedata.normalize("NFKC", v).split()) if isinstance(v, str) else v

    @field_validator("name_en")
    @classmethod
    def _name_en(cls, v: str | None) -> str | None:
        if not v:
            return None
        if not NAME_EN_RE.match(v) or not re.search(r"[A-Za-z]", v):
            raise ValueError(NAME_EN_MESSAGE)
        return v

    @field_validator("spec")
    @classmethod
    def _spec(cls, v: str) -> str:
        v = v.replace("*", "×").replace("x", "×").replace("X", "×")
        if not re.search(r"\d", v):
            raise ValueError("规格应写明净含量和包装，如 500g/袋×20袋/箱")
        return v

    @field_validator("price_unit")
    @classmethod
    def _unit(cls, v: str | None) -> str | None:
        if v is not None and v not in PRICE_UNITS:
            raise ValueError("请选择价格单位")
        return v


class ProductRead(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    town_name: str | None
    kind: str
    category: str
    category_name: str
    name: str
    name_en: str | None
    spec: str
    storage: str
    shelf_life_days: int | None
    standard_code: str | None
    min_order: Decimal | None
    min_order_unit: str | None
    price_min: Decimal | None
    price_max: Decimal | None
    price_unit: str | None
    description: str | None
    brand_id: int | None
    status: str
    published_at: datetime | None
    is_demo: bool
    version: int

    @classmethod
    def of(cls, p) -> ProductRead:
        return cls(
            id=p.id,
            enterprise_id=p.enterprise_id,
            enterprise_name=p.enterprise.name,
            town_name=p.enterprise.town.name if p.enterprise.town else None,
            kind=p.kind_code,
            category=p.category_code,
            category_name=p.category.name,
            name=p.name,
            name_en=p.name_en,
            spec=p.spec,
            storage=p.storage,
            shelf_life_days=p.shelf_life_days,
            standard_code=p.standard_code,
            min_order=p.min_order,
            min_order_unit=p.min_order_unit,
            price_min=p.price_min,
            price_max=p.price_max,
            price_unit=p.price_unit,
            description=p.description,
            brand_id=p.brand_id,
            status=p.status,
            published_at=p.published_at,
            is_demo=p.is_demo,
            version=p.version,
        )

"""The demo data set: fictional accounts, one per role, and a fictional registry (demo mode only).

Every demo enterprise's credit code is built on the organisation-code block PDY00001-PDY99999, which GB 11714
reserves for systems' own use, so none can be a real enterprise's; every demo record carries is_demo.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.auth import service as auth_service
from hotpot.auth.models import User
from hotpot.auth.schemas import StaffCreateIn
from hotpot.enterprises import codes
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise
from hotpot.enterprises.schemas import EnterpriseIn, StatusChangeIn
from hotpot.products import service as product_service
from hotpot.products.schemas import ProductIn
from hotpot.resources import resource_dir

ENTERPRISES = 100
PRODUCTS_PER_MAKER = (11, 17)
NO_LOGIN = "!demo-account-without-password"  # not an Argon2 hash: nobody can log in with it


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str
    display_name: str


def _csv(name: str) -> list[dict[str, str]]:
    with (resource_dir("seed_data") / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def demo_logins() -> list[DemoLogin]:
    return [DemoLogin(r["email"], r["password"], r["role"], r["display_name"]) for r in _csv("demo_accounts.csv")]


def load_demo(session: Session, *, progress: Callable[[str], None] | None = None) -> list[DemoLogin]:
    """Create the demo accounts and the demo registry, unless they exist already; return every demo login."""
    rows = {r["email"]: r for r in _csv("demo_accounts.csv")}
    for login in demo_logins():
        if auth_service.get_by_email(session, login.email) is None:
            data = StaffCreateIn(
                email=login.email,
                display_name=login.display_name,
                organization=rows[login.email]["organization"],
                role=login.role,
            )
            auth_service.create_user(session, actor=None, data=data, password=login.password, is_demo=True)
    if not session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.is_demo)):
        DemoRegistry(session, progress=progress).build()
    return demo_logins()


# Where demo enterprises are: most in 龙市镇 and the industrial subdistricts, the rest spread over the district.
TOWN_WEIGHTS = {
    "500117121": 22,
    "500117002": 9,
    "500117003": 8,
    "500117005": 7,
    "500117001": 5,
    "500117006": 4,
    "500117125": 6,
    "500117126": 6,
    "500117007": 3,
    "500117004": 3,
}
KIND_SUFFIX = {
    "shuifa": "食品有限公司",
    "shuichan": "水产食品有限公司",
    "rou": "肉类食品有限公司",
    "zhiwudanbai": "豆制品有限公司",
    "shucai": "农产品加工有限公司",
    "tiaoweiliao": "调味品有限公司",
    "cold_chain": "冷链物流有限公司",
    "base": "农业专业合作社",
}
KIND_LINKS = {
    "shuifa": ["primary_processing", "deep_processing"],
    "shuichan": ["deep_processing", "cold_chain"],
    "rou": ["primary_processing", "deep_processing"],
    "zhiwudanbai": ["deep_processing"],
    "shucai": ["primary_processing", "deep_processing"],
    "tiaoweiliao": ["seasoning", "rnd_testing"],
    "cold_chain": ["cold_chain", "wholesale"],
    "base": ["raw_material", "primary_processing"],
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈"
GIVEN = "建国明华强军平芳丽勇杰涛磊静敏超洪波宇浩晓红伟刚斌燕林霞峰辉玲鹏"


class DemoRegistry:
    def __init__(self, session: Session, *, progress: Callable[[str], None] | None = None):
        self.session = session
        self.rng = random.Random(20241126)
        self.progress = progress or (lambda _msg: None)
        self.categories = [r for r in _csv("product_categories.csv") if r["parent_code"]]
        self.reviewer = auth_service.get_by_email(session, "reviewer@hotpot.example")
        self.serial = 0

    def _person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))

    def _phone(self) -> str:
        if self.rng.random() < 0.5:
            return f"023-42{self.rng.randint(100000, 999999)}"
        return f"1{self.rng.choice('3589')}{self.rng.randint(100000000, 999999999)}"

    def _producer(self, name: str, enterprise_name: str) -> User:
        self.serial += 1
        user = User(
            email=f"maker{self.serial:03d}@hotpot.example",
            display_name=name,
            organization=enterprise_name,
            role="producer",
            password_hash=NO_LOGIN,
            is_demo=True,
        )
        self.session.add(user)
        self.session.flush()
        return user

    def build(self) -> None:
        names = _csv("demo_enterprise_names.csv")
        self.rng.shuffle(names)
        towns, weights = zip(*TOWN_WEIGHTS.items(), strict=True)
        demo_owner = auth_service.get_by_email(self.session, "producer@hotpot.example")
        for n, row in enumerate(names[:ENTERPRISES], start=1):
            kind = row["kind"]
            base = kind == "base"
            town = self.rng.choices(towns, weights)[0] if self.rng.random() < 0.92 else "outside"
            full_name = f"重庆{row['trade_name']}{KIND_SUFFIX[kind]}"
            trade = row["trade_name"]
            if n == 1 and demo_owner is not None and demo_owner.enterprise_id is None:
                owner, trade, kind = demo_owner, "渝合毛肚", "shuifa"
                full_name = "重庆渝合毛肚食品有限公司"
            else:
                owner = self._producer(self._person(), full_name)
            park = "none"
            if town != "outside" and kind in ("rou", "tiaoweiliao", "shuifa"):
                park = self.rng.choice(("nanxi", "nanxi", "longshi", "none"))
            elif town != "outside" and kind in ("shucai", "zhiwudanbai"):
                park = self.rng.choice(("longshi", "longshi", "none"))
            elif town != "outside" and kind == "cold_chain":
                park = self.rng.choice(("wuzun", "wuzun", "none"))
            prefix = ("93" if base else "91") + ("500106" if town == "outside" else "500117")
            data = EnterpriseIn(
                uscc=codes.demo_uscc(n, prefix8=prefix),
                name=full_name + "（演示）",
                short_name=trade + ("合作社" if base else "食品" if len(trade) < 4 else ""),
                legal_representative=self._person(),
                town=town,
                outside_address="重庆市沙坪坝区土主街道" if town == "outside" else None,
                park_group=park,
                address=self._address(park),
                contact_person=self._person(),
                phone=self._phone(),
                scale="above" if self.rng.random() < 0.35 and not base else "below",
                employees=self.rng.randint(8, 60) if base else self.rng.randint(20, 480),
                annual_capacity_t=Decimal(self.rng.choice((500, 800, 1200, 2000, 3500, 5000, 8000, 12000))),
                founded_on=date(2003, 1, 1) + timedelta(days=self.rng.randint(0, 7300)),
                chain_links=KIND_LINKS[kind],
                description=self._description(kind, trade),
            )
            enterprise = enterprise_service.register(self.session, user=owner, data=data, is_demo=True)
            if kind not in ("cold_chain",):
                self._products(owner, enterprise, kind)
            self._status(enterprise, n)
            if n % 10 == 0:
                self.progress(f"demo enterprises {n}/{ENTERPRISES}")

    def _address(self, park: str) -> str:
        road = self.rng.choice(("工业大道", "食品路", "兴农路", "滨江路"))
        return f"{'产业园' if park != 'none' else ''}{road}{self.rng.randint(1, 399)}号"

    def _description(self, kind: str, trade: str) -> str:
        if kind == "base":
            return (
                f"{trade}合作社组织周边农户标准化种植养殖，统一供种、统一技术、统一收购，"
                "为区内火锅食材加工企业稳定供应原料。"
            )
        if kind == "cold_chain":
            return "提供 -18°C 冷冻与 0-4°C 冷藏仓储、干线运输和城市配送，服务合川火锅食材企业和渝蓉两地火锅门店。"
        return (
            f"专注火锅食材研发与生产，产品供应重庆及全国火锅门店、连锁品牌和商超。"
            f"拥有标准化生产线和检测室，按食品安全管理体系组织生产。（{trade}，演示数据）"
        )

    def _products(self, owner: User, enterprise: Enterprise, kind: str) -> None:
        if kind == "base":
            pool = [c for c in self.categories if c["code"] in ("gan-lajiao", "huajiao", "moyu", "caiziyou")]
            count = self.rng.randint(1, 3)
        else:
            pool = [c for c in self.categories if c["parent_code"] == kind]
            count = self.rng.randint(*PRODUCTS_PER_MAKER)
        for i in range(count):
            c = pool[i % len(pool)] if i < len(pool) else self.rng.choice(pool)
            low, high = Decimal(c["price_min"]), Decimal(c["price_max"])
            price_min = (low + (high - low) * Decimal(self.rng.random()) * Decimal("0.6")).quantize(Decimal("1"))
            price_max = min(high, price_min + (high - low) * Decimal("0.25")).quantize(Decimal("1"))
            variant = self.rng.choice(c["name_variants"].split("|"))
            data = ProductIn(
                category=c["code"],
                name=variant if self.rng.random() < 0.6 else f"{enterprise.short_name[:2]}{variant}",
                spec=self.rng.choice(c["specs"].split("|")),
                storage=c["storage"],
                shelf_life_days=int(c["shelf_life_days"]),
                standard_code=self.rng.choice(c["standards"].split("|")) if c["standards"] else None,
                min_order=Decimal(self.rng.choice((1, 5, 10, 20, 50))),
                min_order_unit="箱" if c["unit"] != "元/kg" else "kg",
                price_min=price_min,
                price_max=max(price_min, price_max),
                price_unit=c["unit"],
                description=f"{c['name']}，{variant}。冷链直发，可按餐饮门店需求定制规格。（演示数据）",
            )
            product = product_service.create(self.session, user=owner, enterprise=enterprise, data=data, is_demo=True)
            roll = self.rng.random()
            if roll < 0.9:
                product_service.set_published(self.session, user=owner, product=product, published=True, version=None)
                product.published_at -= timedelta(days=self.rng.randint(0, 400), minutes=self.rng.randint(0, 1440))
            if 0.86 <= roll < 0.9:
                product_service.set_published(self.session, user=owner, product=product, published=False, version=None)

    def _status(self, enterprise: Enterprise, n: int) -> None:
        if self.reviewer is None:
            return
        # Some records in each status: most verified, a few waiting, rejected or suspended.
        plan = "verify"
        if n % 17 == 5:
            plan = None  # stays pending
        elif n % 23 == 7:
            plan = "reject"
        elif n % 41 == 11:
            plan = "suspend"
        if plan is None:
            return
        if plan == "reject":
            reason = "营业执照照片不清晰，统一社会信用代码无法核对，请补充清晰扫描件后重新提交"
            enterprise_service.change_status(
                self.session,
                reviewer=self.reviewer,
                enterprise=enterprise,
                data=StatusChangeIn(action="reject", reason=reason),
            )
            return
        enterprise_service.change_status(
            self.session,
            reviewer=self.reviewer,
            enterprise=enterprise,
            data=StatusChangeIn(action="verify", reason="资料齐全，核验通过"),
        )
        if plan == "suspend":
            enterprise_service.change_status(
                self.session,
                reviewer=self.reviewer,
                enterprise=enterprise,
                data=StatusChangeIn(action="suspend", reason="食品生产许可证已过期，续证前暂停公开展示"),
            )

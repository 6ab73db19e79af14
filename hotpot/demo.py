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

from hotpot import changes, demo_images
from hotpot.auth import service as auth_service
from hotpot.auth.models import User
from hotpot.auth.schemas import StaffCreateIn
from hotpot.bases import service as base_service
from hotpot.bases.models import BasePhoto, BaseStatus, RawBase
from hotpot.bases.schemas import BaseIn, SourceIn
from hotpot.brands import service as brand_service
from hotpot.brands.schemas import BrandIn, LicenceIn, RevokeIn
from hotpot.certificates import service as cert_service
from hotpot.certificates.schemas import CertificateIn
from hotpot.enterprises import codes
from hotpot.enterprises import service as enterprise_service
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.enterprises.schemas import EnterpriseIn, StatusChangeIn
from hotpot.hitpool import demo as pool_demo
from hotpot.products import media as product_media
from hotpot.products import service as product_service
from hotpot.products.models import Product, ProductStatus
from hotpot.products.photos import ProductPhoto
from hotpot.products.schemas import ProductIn
from hotpot.reference import service as reference_service
from hotpot.resources import resource_dir
from hotpot.verification import DecisionIn

ENTERPRISES = 100
PRODUCTS_PER_MAKER = (11, 17)
NO_LOGIN = "!demo-account-without-password"  # not an Argon2 hash: nobody can log in with it
# Illustrations per sub-category (and per base produce): each is drawn and run through the photo pipeline once,
# the products that repeat it share its stored files. 7 of 10 published products get one. One variant per
# sub-category keeps the first `make demo` fast (a second variant cost about 1.5 s of CPU); raise it for variety.
PICTURE_VARIANTS = 1
PHOTO_SKIP = (3, 6, 9)


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
    pool_demo.load(session)  # the 爆品 pool's batches, experts and incubation (hotpot/hitpool/demo.py)
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


class DemoPictures:
    """Demo images stored through the same services as uploads. Draws nothing from the registry's random
    generator, so the demo records stay the same with or without pictures."""

    def __init__(self, session: Session):
        self.session = session
        self.serial = 0
        self.products: dict[tuple[str, int], ProductPhoto] = {}
        self.bases: dict[tuple[str, str, int], BasePhoto] = {}
        # Repeats are stored together at the end (one insert instead of one per record).
        self.product_copies: list[tuple[User, Product, ProductPhoto]] = []
        self.base_copies: list[tuple[User, RawBase, BasePhoto]] = []

    def product(self, user: User, product: Product, *, kind: str, category_name: str) -> None:
        self.serial += 1
        if self.serial % 10 in PHOTO_SKIP:
            return
        key = (product.category_code, (self.serial // 10) % PICTURE_VARIANTS)
        source = self.products.get(key)
        if source is not None:
            self.product_copies.append((user, product, source))
            return
        data = demo_images.product_picture(kind=kind, category_code=key[0], category_name=category_name, variant=key[1])
        upload = (data, f"{key[0]}-{key[1]}-示意图.jpg")
        self.products[key] = product_media.add_photos(self.session, user=user, product=product, uploads=[upload])[0]

    def base(self, user: User, base: RawBase) -> None:
        key = (base.kind, base.produce, base.id % 2)
        source = self.bases.get(key)
        if source is not None:
            self.base_copies.append((user, base, source))
            return
        data = demo_images.base_picture(kind=key[0], produce=key[1], variant=key[2])
        upload = (data, f"base-{key[0]}-{key[2]}-示意图.jpg")
        self.bases[key] = base_service.add_photos(self.session, user=user, base=base, uploads=[upload])[0]

    def finish(self) -> None:
        if self.product_copies:
            product_media.add_photo_copies(self.session, copies=self.product_copies)
        if self.base_copies:
            base_service.add_photo_copies(self.session, copies=self.base_copies)
        self.product_copies, self.base_copies = [], []

    def logo(self, user: User, enterprise: Enterprise) -> None:
        text = (enterprise.short_name or enterprise.name).removeprefix("重庆")[:2]
        upload = (demo_images.logo_picture(text=text, seed=enterprise.uscc), "logo-示意图.jpg")
        enterprise_service.set_logo(self.session, user=user, enterprise=enterprise, upload=upload)

    def brand_logo(self, user: User, brand) -> None:
        upload = (demo_images.logo_picture(text=brand.name[:2], seed=f"brand:{brand.name}"), "logo-示意图.jpg")
        brand_service.set_logo(self.session, user=user, brand=brand, upload=upload)


class DemoRegistry:
    def __init__(self, session: Session, *, progress: Callable[[str], None] | None = None):
        self.session = session
        self.rng = random.Random(20241126)
        self.pictures = DemoPictures(session)
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
        made: list[tuple[User, Enterprise, str]] = []
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
            self.pictures.logo(owner, enterprise)
            if kind not in ("cold_chain",):
                self._products(owner, enterprise, kind)
            self._status(enterprise, n)
            made.append((owner, enterprise, kind))
            if n % 10 == 0:
                self.progress(f"demo enterprises {n}/{ENTERPRISES}")
        self.progress("demo bases and certificates")
        bases = self._bases(made)
        self._sources(made, bases)
        self._certificates(made, bases)
        self.progress("demo brands")
        self._brands(made)
        self.pictures.finish()

    # --- bases, sources, certificates, brands ---------------------------------------------------------------

    def _bases(self, made: list[tuple[User, Enterprise, str]]) -> list[RawBase]:
        towns, weights = zip(*TOWN_WEIGHTS.items(), strict=True)
        all_towns = [t.code for t in reference_service.towns(self.session)]
        bases: list[RawBase] = []
        for owner, enterprise, kind in made:
            count = self.rng.randint(3, 4) if kind == "base" else (1 if self.rng.random() < 0.45 else 0)
            for _ in range(count):
                base_kind, produce = self._base_produce(kind)
                town = self.rng.choice(all_towns) if self.rng.random() < 0.4 else self.rng.choices(towns, weights)[0]
                level = self.rng.choices(("none", "district", "municipal", "national"), (4, 4, 2, 1))[0]
                town_name = next(t.name for t in reference_service.towns(self.session) if t.code == town)
                word = {"planting": "种植", "breeding": "养殖", "aquaculture": "养殖"}[base_kind]
                data = BaseIn(
                    name=f"{town_name}{produce}{'标准化' if level != 'none' else ''}{word}基地",
                    operator_name=f"合川区{town_name[:2]}{produce}专业合作社（演示）" if kind != "base" else None,
                    operator_uscc=codes.demo_uscc(60000 + len(bases), prefix8="93500117") if kind != "base" else None,
                    town=town,
                    kind=base_kind,
                    produce=produce,
                    area_mu=None
                    if base_kind == "breeding"
                    else Decimal(self.rng.choice((300, 500, 800, 1200, 2000, 3500))),
                    stock_heads=self.rng.choice((800, 1500, 3000, 6000, 20000)) if base_kind == "breeding" else None,
                    annual_output_t=Decimal(self.rng.choice((150, 300, 600, 1200, 2500))),
                    standard_level=level,
                    latitude=Decimal(f"{self.rng.uniform(29.98, 30.42):.6f}"),
                    longitude=Decimal(f"{self.rng.uniform(105.95, 106.62):.6f}"),
                    description=f"{produce}{word}，统一技术标准、统一收购，供应区内火锅食材加工企业。（演示数据）",
                )
                base = base_service.create(self.session, user=owner, enterprise=enterprise, data=data, is_demo=True)
                self.pictures.base(owner, base)
                roll = self.rng.random()
                if self.reviewer and roll < 0.86:
                    base_service.decide(
                        self.session,
                        reviewer=self.reviewer,
                        base=base,
                        data=DecisionIn(action="verify", reason="现场核查通过"),
                    )
                elif self.reviewer and roll < 0.93:
                    base_service.decide(
                        self.session,
                        reviewer=self.reviewer,
                        base=base,
                        data=DecisionIn(action="reject", reason="面积与土地流转合同不一致，请核实后重新提交"),
                    )
                bases.append(base)
        return bases

    def _base_produce(self, kind: str) -> tuple[str, str]:
        if kind == "rou":
            return "breeding", self.rng.choice(("生猪", "肉牛", "鸭"))
        if kind == "shuichan":
            return "aquaculture", self.rng.choice(("鱼", "稻田鱼", "虾"))
        if kind == "zhiwudanbai":
            return "planting", "黄豆"
        if kind == "shucai":
            return "planting", self.rng.choice(("魔芋", "蔬菜", "莲藕", "红薯"))
        if kind == "base":
            return self.rng.choice(
                (
                    ("planting", "辣椒"),
                    ("planting", "花椒"),
                    ("planting", "魔芋"),
                    ("breeding", "肉牛"),
                    ("aquaculture", "鱼"),
                    ("planting", "豌豆"),
                )
            )
        return "planting", self.rng.choice(("辣椒", "花椒"))

    def _sources(self, made, bases: list[RawBase]) -> None:
        verified = [b for b in bases if b.status == BaseStatus.verified]
        spice = [b for b in verified if b.produce in ("辣椒", "花椒")]
        for owner, enterprise, kind in made:
            own = [b for b in bases if b.enterprise_id == enterprise.id]
            pool = own or (spice if kind == "tiaoweiliao" else [])
            if not pool:
                continue
            products = product_service.of_enterprise(self.session, enterprise=enterprise, public_only=False)[:4]
            for product in products:
                picked = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 2)))
                shares = [Decimal(60), Decimal(30)][: len(picked)]
                base_service.set_sources(
                    self.session,
                    user=owner,
                    product=product,
                    items=[SourceIn(base_id=b.id, share_pct=share) for b, share in zip(picked, shares, strict=True)],
                )

    def _certificates(self, made, bases: list[RawBase]) -> None:
        today = date.today()
        sc_class = {
            "shuifa": "31",
            "shuichan": "22",
            "rou": "04",
            "zhiwudanbai": "25",
            "shucai": "16",
            "tiaoweiliao": "03",
            "base": "16",
        }
        serial = 0
        for owner, enterprise, kind in made:
            if kind == "cold_chain":
                continue
            serial += 1
            plan = [("sc", "enterprise")]
            if self.rng.random() < 0.35:
                plan.append((self.rng.choice(("haccp", "iso22000")), "enterprise"))
            if self.rng.random() < 0.4:
                plan.append(("green_food", "product"))
            if serial in (3, 17):
                plan.append(("cq_time_honored", "enterprise"))
            for cert_kind, holder in plan:
                issued = today - timedelta(days=self.rng.randint(200, 1500))
                roll = self.rng.random()
                if roll < 0.06:
                    valid = today - timedelta(days=self.rng.randint(5, 200))  # expired
                elif roll < 0.14:
                    valid = today + timedelta(days=self.rng.randint(5, 55))  # expiring soon
                else:
                    valid = today + timedelta(days=self.rng.randint(120, 1400))
                holder_value = "enterprise"
                if holder == "product":
                    products = product_service.of_enterprise(self.session, enterprise=enterprise, public_only=False)
                    if not products:
                        continue
                    holder_value = f"product:{self.rng.choice(products).id}"
                number, issuer = self._cert_number(cert_kind, sc_class[kind], serial)
                data = CertificateIn(
                    holder=holder_value,
                    kind=cert_kind,
                    number=number,
                    issuer=issuer,
                    issued_on=issued,
                    valid_until=None if cert_kind == "cq_time_honored" else max(valid, issued + timedelta(days=30)),
                )
                self._decide_cert(
                    cert_service.create(self.session, user=owner, enterprise=enterprise, data=data, is_demo=True)
                )
        for i, base in enumerate(b for b in bases if b.kind == "planting" and b.status == BaseStatus.verified):
            if i % 2:
                continue
            owner = next(o for o, e, _ in made if e.id == base.enterprise_id)
            data = CertificateIn(
                holder=f"base:{base.id}",
                kind="green_food",
                number=f"LB-{28 + i % 3}-2301{i:05d}A",
                issuer="中国绿色食品发展中心",
                issued_on=today - timedelta(days=300),
                valid_until=today + timedelta(days=self.rng.randint(90, 1000)),
            )
            self._decide_cert(
                cert_service.create(self.session, user=owner, enterprise=base.enterprise, data=data, is_demo=True)
            )

    def _cert_number(self, kind: str, food_class: str, serial: int) -> tuple[str, str]:
        if kind == "sc":
            return (f"SC1{food_class}500117{serial:04d}{self.rng.randint(0, 9)}", "重庆市合川区市场监督管理局")
        if kind in ("haccp", "iso22000"):
            return (f"{'HACCP' if kind == 'haccp' else 'FSMS'}-50-{serial:04d}-2024", "中国质量认证中心（演示）")
        if kind == "green_food":
            return (f"LB-{20 + serial % 8}-2312{serial:05d}A", "中国绿色食品发展中心")
        return (f"CQLZH-{serial:03d}", "重庆市商务委员会")

    def _decide_cert(self, cert) -> None:
        if self.reviewer is None:
            return
        roll = self.rng.random()
        if roll < 0.82:
            cert_service.decide(
                self.session,
                reviewer=self.reviewer,
                cert=cert,
                data=DecisionIn(action="verify", reason="与扫描件及发证机关公示一致"),
            )
        elif roll < 0.88:
            cert_service.decide(
                self.session,
                reviewer=self.reviewer,
                cert=cert,
                data=DecisionIn(action="reject", reason="扫描件模糊，编号无法辨认，请重新上传"),
            )

    def _brands(self, made) -> None:
        staff = self.reviewer
        if staff is None:
            return
        regional = brand_service.create(
            self.session,
            user=staff,
            is_demo=True,
            data=BrandIn(
                level="regional_public",
                name="合川火锅食材",
                owner_body="重庆市合川区农业农村委员会（演示）",
                trademark_no="78123456",
                nice_class=29,
                honors=["地理标志证明商标"],
                description="合川区火锅食材区域公用品牌：统一标识、统一标准、统一推广，授权符合标准的企业使用。（演示数据）",
            ),
        )
        cluster = brand_service.create(
            self.session,
            user=staff,
            is_demo=True,
            data=BrandIn(
                level="cluster",
                name="钓鱼城火锅食材",
                owner_body="合川区火锅食材产业协会（演示）",
                trademark_no="78123457",
                nice_class=30,
                honors=[],
                description="重庆火锅食材产业园集群品牌。（演示数据）",
            ),
        )
        self.pictures.brand_logo(staff, regional)
        self.pictures.brand_logo(staff, cluster)
        verified = [(o, e, k) for o, e, k in made if e.status == EnterpriseStatus.verified and k != "cold_chain"]
        for i, (_owner, enterprise, _kind) in enumerate(verified[:14]):
            brand = regional if i < 10 else cluster
            licence = brand_service.grant(
                self.session,
                reviewer=staff,
                brand=brand,
                data=LicenceIn(
                    enterprise_id=enterprise.id,
                    since_on=date(2024, 1, 1) + timedelta(days=30 * i),
                    until_on=date(2027, 12, 31),
                ),
            )
            if i == 9:
                brand_service.revoke(
                    self.session,
                    reviewer=staff,
                    brand=brand,
                    licence_id=licence.id,
                    data=RevokeIn(reason="抽检不合格，撤销授权（演示数据）"),
                )
        honors = ["重庆老字号", "名优农产品", "绿色食品"]
        for i, (owner, enterprise, kind) in enumerate(verified[:20]):
            level = "enterprise" if i % 3 else "product"
            name = (enterprise.short_name or enterprise.name)[:4].removesuffix("食品") + (
                "牌" if level == "enterprise" else "老火锅"
            )
            brand = brand_service.create(
                self.session,
                user=owner,
                is_demo=True,
                data=BrandIn(
                    level=level,
                    name=name,
                    trademark_no=f"{45000000 + i * 7919}",
                    nice_class=30 if kind == "tiaoweiliao" else 29,
                    honors=[honors[i % 3]] if i % 4 == 0 else [],
                    valid_until=date(2030, 6, 30),
                    description=f"{enterprise.name}的{'企业' if level == 'enterprise' else '产品'}品牌。（演示数据）",
                ),
            )
            self.pictures.brand_logo(owner, brand)
            for product in product_service.of_enterprise(self.session, enterprise=enterprise, public_only=False)[:3]:
                fields = {k: v for k, v in changes.snapshot(product).items() if k != "status"}
                product_service.edit(
                    self.session,
                    user=owner,
                    product=product,
                    data=ProductIn(**{**fields, "brand_id": brand.id}),
                    version=None,
                )

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
                # Every other maker's products carry the category's English trade name, as an exporter's would (no
                # random draw: the rest of the demo set stays as it was).
                name_en=c["name_en"] if enterprise.id % 2 == 0 else None,
                spec=self.rng.choice(c["specs"].split("|")),
                # Chilled offal is also sold frozen: every third such product in the demo is (no random draw, so the
                # rest of the demo set stays as it was).
                storage="frozen" if c["storage"] == "chilled" and (enterprise.id + i) % 3 == 2 else c["storage"],
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
            if product.status == ProductStatus.published:
                self.pictures.product(owner, product, kind=c["parent_code"], category_name=c["name"])

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

"""Raw-material bases and product sources."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.bases.models import ProductSource, RawBase
from tests.auth.builders import log_in, make_user
from tests.bases.builders import base_form, make_base
from tests.enterprises.builders import make_enterprise, make_product, owner_of


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_record_verify_and_list_base(client, make_client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    assert client.post("/my/bases/new", data=base_form(name="渭沱镇花椒种植基地", produce="花椒")).status_code == 303
    base = db.scalar(select(RawBase).where(RawBase.name == "渭沱镇花椒种植基地"))
    assert base.status == "pending"
    visitor = make_client()
    assert "渭沱镇花椒种植基地" not in visitor.get("/bases").text
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    assert (
        reviewer.post(
            f"/verify/bases/{base.id}/decision", data={"action": "verify", "version": base.version}
        ).status_code
        == 303
    )
    listing = visitor.get("/bases", params={"produce": "花椒"})
    assert "渭沱镇花椒种植基地" in listing.text
    assert visitor.get(f"/bases/{base.id}").status_code == 200
    api = visitor.get("/api/v1/bases", params={"q": "渭沱"}).json()
    assert api["total"] == 1


def test_base_rules_refused_and_nothing_written(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    cases = [
        ({"latitude": "39.9", "longitude": "116.4"}, "latitude", "重庆市范围内"),
        ({"latitude": "30.1", "longitude": "120.0"}, "longitude", "重庆市范围内"),
        ({"latitude": "30.1", "longitude": ""}, "longitude", "同时填写"),
        ({"kind": "breeding", "produce": "生猪", "stock_heads": ""}, "stock_heads", "存栏"),
        ({"area_mu": ""}, "area_mu", "面积"),
        ({"area_mu": "-5"}, "area_mu", "不能小于 0"),
        ({"kind": "breeding", "produce": "辣椒", "stock_heads": "100"}, "produce", "相符"),
        ({"operator_uscc": "91500117PDY00001XA", "operator_name": "某合作社"}, "operator_uscc", "校验"),
        ({"town": "110101001"}, "town", "镇街"),
    ]
    before = _count(db, RawBase)
    for overrides, field, message in cases:
        response = client.post("/my/bases/new", data=base_form(**overrides))
        assert response.status_code == 422, overrides
        error = response.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)
    assert _count(db, RawBase) == before


def test_verified_base_renamed_goes_back_to_review(client, db):
    base = make_base(db)
    log_in(client, owner_of(db, base.enterprise).email)
    form = {**base_form(name="新名字辣椒基地"), "version": base.version}
    assert client.post(f"/my/bases/{base.id}/edit", data=form).status_code == 303
    db.refresh(base)
    assert base.status == "pending"


def test_product_sources_total_at_most_100(client, db):
    enterprise = make_enterprise(db)
    product = make_product(db, enterprise=enterprise)
    a = make_base(db, enterprise=enterprise, name="甲基地")
    b = make_base(db, enterprise=enterprise, name="乙基地")
    log_in(client, owner_of(db, enterprise).email)
    loaded = product.version
    too_much = client.post(
        f"/my/products/{product.id}/sources",
        data={"base_id": [str(a.id), str(b.id)], "share_pct": ["70", "40"], "version": product.version},
    )
    assert too_much.status_code == 422
    assert "不能超过 100%" in too_much.text
    assert _count(db, ProductSource) == 0
    twice = client.post(
        f"/my/products/{product.id}/sources",
        data={"base_id": [str(a.id), str(a.id)], "share_pct": ["30", "30"], "version": product.version},
    )
    assert "只能填写一次" in twice.text
    ok = client.post(
        f"/my/products/{product.id}/sources",
        data={"base_id": [str(a.id), str(b.id), ""], "share_pct": ["60", "40", ""], "version": product.version},
    )
    assert ok.status_code == 303
    detail = client.get(f"/products/{product.id}")
    assert "甲基地" in detail.text
    assert "60%" in detail.text
    # The sources are part of the product's record: the save made a form of the old version stale.
    url, again = f"/my/products/{product.id}/sources", {"base_id": [str(b.id)], "share_pct": ["10"]}
    stale = client.post(url, data={**again, "version": loaded})
    assert stale.status_code == 409
    assert "甲基地 60%" in stale.text
    assert client.post(url, data=again).status_code == 400  # a form without its version is refused

"""Photos and logos are part of their record: a page loaded before someone else changed the record gets the conflict
page (409) for an upload or a removal, nothing is kept, and a fresh page's change bumps the record's version."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.bases.models import BasePhoto
from hotpot.products.photos import ProductPhoto
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.brands.builders import make_brand_with_licence
from tests.enterprises.builders import make_enterprise, make_product, owner_of
from tests.products.builders import image_bytes

CONFLICT = "内容已被他人修改"


def _photos(db, model, **where) -> int:
    ((column, value),) = where.items()
    return db.scalar(select(func.count()).select_from(model).where(getattr(model, column) == value))


def _events(db, action: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _upload(name: str = "p.png") -> dict:
    return {"photos": (name, image_bytes(), "image/png")}


def test_stale_product_photo_upload_and_removal_get_the_conflict_page(client, db):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    loaded = product.version
    fresh = client.post(f"/my/products/{product.id}/photos", data={"version": loaded}, files=_upload())
    assert fresh.status_code == 303
    db.refresh(product)
    assert product.version == loaded + 1  # the photos are part of the product: open forms of it are stale now
    photo = db.scalar(select(ProductPhoto).where(ProductPhoto.product_id == product.id))

    events = _events(db, "product.photos_add")
    stale = client.post(f"/my/products/{product.id}/photos", data={"version": loaded}, files=_upload("b.png"))
    assert stale.status_code == 409
    assert CONFLICT in stale.text
    assert _photos(db, ProductPhoto, product_id=product.id) == 1
    assert _events(db, "product.photos_add") == events

    stale_removal = client.post(f"/my/products/{product.id}/photos/{photo.id}/delete", data={"version": loaded})
    assert stale_removal.status_code == 409
    assert _photos(db, ProductPhoto, product_id=product.id) == 1
    db.refresh(product)
    assert product.version == loaded + 1

    removal = client.post(f"/my/products/{product.id}/photos/{photo.id}/delete", data={"version": product.version})
    assert removal.status_code == 303
    assert _photos(db, ProductPhoto, product_id=product.id) == 0
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (last.action, last.before, last.after) == ("product.photo_remove", {"photo": photo.id}, None)


def test_the_edit_page_sends_the_version_with_its_photo_forms(client, db):
    product = make_product(db)
    log_in(client, owner_of(db, product.enterprise).email)
    page = client.get(f"/my/products/{product.id}/edit").text
    upload_form = page.split(f'action="/my/products/{product.id}/photos"')[1].split("</form>")[0]
    assert f'name="version" value="{product.version}"' in upload_form


def test_stale_base_photo_upload_and_removal_get_the_conflict_page(client, db):
    base = make_base(db)
    log_in(client, owner_of(db, base.enterprise).email)
    loaded = base.version
    assert client.post(f"/my/bases/{base.id}/photos", data={"version": loaded}, files=_upload()).status_code == 303
    photo = db.scalar(select(BasePhoto).where(BasePhoto.base_id == base.id))
    stale = client.post(f"/my/bases/{base.id}/photos", data={"version": loaded}, files=_upload("b.png"))
    assert stale.status_code == 409
    assert CONFLICT in stale.text
    assert client.post(f"/my/bases/{base.id}/photos/{photo.id}/delete", data={"version": loaded}).status_code == 409
    assert _photos(db, BasePhoto, base_id=base.id) == 1
    page = client.get(f"/my/bases/{base.id}/edit").text
    db.refresh(base)
    assert f'name="version" value="{base.version}"' in page.split(f'action="/my/bases/{base.id}/photos"')[1]


def test_stale_enterprise_logo_gets_the_conflict_page(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    loaded = enterprise.version
    page = client.get("/my/enterprise").text
    assert f'name="version" value="{loaded}"' in page.split('action="/my/enterprise/logo"')[1].split("</form>")[0]
    logo = {"logo": ("logo.png", image_bytes(), "image/png")}
    assert client.post("/my/enterprise/logo", data={"version": loaded}, files=logo).status_code == 303
    db.refresh(enterprise)
    first = enterprise.logo_file_id
    assert first is not None
    assert enterprise.version == loaded + 1
    stale = client.post("/my/enterprise/logo", data={"version": loaded}, files=logo)
    assert stale.status_code == 409
    assert CONFLICT in stale.text
    db.refresh(enterprise)
    assert enterprise.logo_file_id == first


def test_stale_brand_logo_gets_the_conflict_page(client, db):
    brand, _ = make_brand_with_licence(db)
    log_in(client, make_user(db, role="reviewer").email)
    loaded = brand.version
    logo = {"logo": ("l.webp", image_bytes("WEBP"), "image/webp")}
    assert client.post(f"/brands/{brand.id}/logo", data={"version": loaded}, files=logo).status_code == 303
    stale = client.post(f"/brands/{brand.id}/logo", data={"version": loaded}, files=logo)
    assert stale.status_code == 409
    db.refresh(brand)
    assert brand.version == loaded + 1

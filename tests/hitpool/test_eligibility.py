"""Each eligibility rule fails alone, with its Chinese message and the page that fixes it; a complete application of
a verified enterprise with a valid SC licence passes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hotpot.db import utcnow
from hotpot.hitpool import eligibility
from hotpot.hitpool.eligibility import add_months
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product
from tests.hitpool.builders import make_batch, make_candidate


@pytest.fixture
def scene(db):
    enterprise = make_enterprise(db)
    cert = make_certificate(db, enterprise=enterprise)
    product = make_product(db, enterprise=enterprise)
    batch = make_batch(db)
    candidate = make_candidate(db, batch=batch, product=product, status="draft")
    return candidate, cert


def _rules(db, candidate) -> list[str]:
    db.expire_all()
    return [f.rule for f in eligibility.check(db, candidate)]


def test_a_complete_application_passes(db, scene):
    candidate, _ = scene
    assert eligibility.check(db, candidate) == []


def test_unverified_enterprise_fails_alone(db, scene):
    candidate, _ = scene
    candidate.enterprise.status = "suspended"
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["enterprise_verified"]
    assert "企业尚未通过认证" in failures[0].message
    assert "已暂停" in failures[0].message
    assert failures[0].fix_url == "/my/enterprise"


def test_unpublished_product_fails_alone_when_the_batch_requires_it(db, scene):
    candidate, _ = scene
    candidate.product.status = "draft"
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["product_published"]
    assert candidate.product.name in failures[0].message
    assert "尚未发布" in failures[0].message
    candidate.batch.require_published_product = False
    db.flush()
    assert eligibility.check(db, candidate) == []


def test_missing_sc_licence_fails_alone(db):
    candidate = make_candidate(db, batch=make_batch(db), status="draft")
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["sc_licence"]
    assert "未找到 SC 食品生产许可证" in failures[0].message
    assert failures[0].fix_url == "/my/certificates/new"
    candidate.batch.require_sc_licence = False
    db.flush()
    assert eligibility.check(db, candidate) == []


def test_expired_sc_licence_fails_alone(db, scene):
    candidate, cert = scene
    cert.issued_on = date.today() - timedelta(days=900)
    cert.valid_until = date.today() - timedelta(days=3)
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["sc_licence"]
    assert "已于" in failures[0].message
    assert "过期" in failures[0].message
    assert failures[0].fix_url == f"/my/certificates/{cert.id}/edit"


def test_unverified_sc_licence_fails_alone(db, scene):
    candidate, cert = scene
    cert.verification = "unverified"
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["sc_licence"]
    assert "尚未通过核验" in failures[0].message


def test_a_product_held_sc_licence_counts(db):
    enterprise = make_enterprise(db)
    product = make_product(db, enterprise=enterprise)
    make_certificate(db, enterprise=enterprise, holder=f"product:{product.id}")
    candidate = make_candidate(db, batch=make_batch(db), product=product, status="draft")
    assert eligibility.check(db, candidate) == []


def test_minimum_months_on_the_platform_fails_alone(db, scene):
    candidate, _ = scene
    candidate.batch.min_months_on_platform = 6
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == ["min_months"]
    assert "满 6 个月" in failures[0].message
    candidate.enterprise.created_at = utcnow() - timedelta(days=200)
    db.flush()
    assert eligibility.check(db, candidate) == []


@pytest.mark.parametrize("field", ["pitch", "sales_wan", "volume_t", "capacity_t"])
def test_each_required_field_fails_alone(db, scene, field):
    candidate, _ = scene
    setattr(candidate, field, None)
    db.flush()
    failures = eligibility.check(db, candidate)
    assert [f.rule for f in failures] == [f"field:{field}"]
    assert failures[0].message.startswith("请填写")
    assert failures[0].fix_url == f"/my/pool/candidates/{candidate.id}#field-{field}"


def test_every_failed_rule_is_listed_at_once(db):
    enterprise = make_enterprise(db, status="pending")
    product = make_product(db, enterprise=enterprise, published=False)
    candidate = make_candidate(db, batch=make_batch(db, min_months_on_platform=3), product=product, status="draft")
    candidate.pitch = None
    db.flush()
    rules = [f.rule for f in eligibility.check(db, candidate)]
    assert rules == ["enterprise_verified", "product_published", "sc_licence", "min_months", "field:pitch"]


def test_the_rules_read_in_plain_chinese(db):
    rules = eligibility.rules(make_batch(db, min_months_on_platform=12))
    assert rules[0] == "企业已在平台通过认证"
    assert any("SC 食品生产许可证" in r for r in rules)
    assert any("满 12 个月" in r for r in rules)


def test_months_are_added_on_the_calendar():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)

"""Schemathesis over /openapi.json, in-process against the ASGI app, as anonymous and as a producer: no generated
request (valid or not) may get a 5xx. Bounded and deterministic: a few derandomized examples per operation and mode,
no shrinking, so it adds well under a minute to the suite."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.auth.builders import PASSWORD, make_user
from tests.enterprises.builders import make_enterprise, make_product

EXAMPLES = 8
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


def _cases(operation, mode, headers: dict[str, str], failures: list[str]) -> int:
    """Send a few generated cases of one operation; note each 5xx in failures; return how many were sent."""
    sent = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        nonlocal sent
        sent += 1
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(
                f"{mode.value} {case.method} {case.formatted_path} query={case.query} body={case.body!r:.200}"
                f" -> {response.status_code}"
            )

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body): negative mode has no case
        assert mode is GenerationMode.NEGATIVE, operation.label
    return sent


def _fuzz(app, headers: dict[str, str]) -> tuple[int, list[str]]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    sent = sum(_cases(result.ok(), mode, headers, failures) for result in schema.get_all_operations() for mode in MODES)
    return sent, failures


def test_no_5xx_as_anonymous(app):
    sent, failures = _fuzz(app, {})
    print(f"schemathesis anonymous: {sent} requests, {len(failures)} 5xx")
    assert sent > 100
    assert failures == [], "\n".join(failures)


def test_no_5xx_as_producer(app, client, db):
    producer = make_user(db, role="producer")
    make_product(db, enterprise=make_enterprise(db, owner=producer))
    token = client.post("/api/v1/auth/token", data={"username": producer.email, "password": PASSWORD})
    assert token.status_code == 200, token.text
    sent, failures = _fuzz(app, {"Authorization": f"Bearer {token.json()['access_token']}"})
    print(f"schemathesis producer: {sent} requests, {len(failures)} 5xx")
    assert sent > 100
    assert failures == [], "\n".join(failures)

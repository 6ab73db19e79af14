"""What certificates feed to search: verified ones are in their holder's documents and in their enterprise's."""

from __future__ import annotations

from collections.abc import Iterator

from hotpot.certificates.models import Certificate
from hotpot.search import sources


def _certificate(cert: Certificate) -> Iterator[tuple[str, int | None]]:
    yield ("enterprise", cert.enterprise_id)
    if cert.product_id:
        yield ("product", cert.product_id)
    elif cert.base_id:
        yield ("base", cert.base_id)
    else:
        yield (sources.ENTERPRISE_PRODUCTS, cert.enterprise_id)


SOURCE = sources.Source(name="certificates", touches={Certificate: _certificate})

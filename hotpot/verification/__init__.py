"""Verification: the committee's checks of registry records (enterprises, bases, certificates) and its desk.

Not "review": that word is the 爆品 pool's expert scoring. The decisions follow each domain's workflow
(`ENTERPRISE_WORKFLOW`, `BASE_WORKFLOW`, `CERTIFICATE_WORKFLOW` in the domains' models); this package holds what
the three have in common (one decision, the reason rule, bulk decisions) and the desk's pages at /verify/...
(`hotpot.verification.routes`, which also redirects the old /review/... addresses).
"""

from hotpot.verification.decisions import (
    BULK_LIMIT,
    BulkOutcome,
    BulkPick,
    DecisionIn,
    bulk_decide,
    decide,
    parse_bulk,
    require_reason,
)

__all__ = [
    "BULK_LIMIT",
    "BulkOutcome",
    "BulkPick",
    "DecisionIn",
    "bulk_decide",
    "decide",
    "parse_bulk",
    "require_reason",
]

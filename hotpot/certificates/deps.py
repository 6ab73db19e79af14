"""The certificate a path names: visible to the caller (or 404), its scan to whom may read it (or 404), or the
caller's own to change (or 403)."""

from __future__ import annotations

from hotpot.certificates import service
from hotpot.certificates.models import Certificate
from hotpot.deps import dependency_of, owned, visible

VisibleCertificate = visible(Certificate, service.can_see, param="cert_id")
# 404, not 403, for a scan the caller may not read: no hint that the certificate exists or has a scan.
ScanCertificate = visible(Certificate, service.can_read_scan, param="cert_id")
OwnCertificate = owned(Certificate, service.can_edit, param="cert_id", message="这不是您企业的证书，不能修改。")
own_certificate = dependency_of(OwnCertificate)

"""Imports every domain's models so Base.metadata is complete (Alembic and the migration tests use it)."""

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import ApiToken, KnownDevice, LoginAttempt, LoginCounter, OneTimeToken, User, UserSession
from hotpot.bases.models import BasePhoto, ProductSource, RawBase
from hotpot.brands.models import Brand, BrandLicence
from hotpot.certificates.models import Certificate
from hotpot.db import Base
from hotpot.enterprises.models import Enterprise, EnterpriseInvitation
from hotpot.files.models import StoredFile
from hotpot.inquiries.models import Inquiry, InquiryMessage
from hotpot.jobs.models import JobProgress
from hotpot.mail.models import OutboxMail
from hotpot.products.models import Product
from hotpot.products.photos import ProductPhoto
from hotpot.reference.models import ChainLink, FoodClass, ProductCategory, Town
from hotpot.search.models import SearchDoc, SearchState, SearchTerm, SynonymGroup

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "BasePhoto",
    "Brand",
    "BrandLicence",
    "Certificate",
    "ChainLink",
    "Enterprise",
    "EnterpriseInvitation",
    "FoodClass",
    "Inquiry",
    "InquiryMessage",
    "JobProgress",
    "KnownDevice",
    "LoginAttempt",
    "LoginCounter",
    "OneTimeToken",
    "OutboxMail",
    "Product",
    "ProductCategory",
    "ProductPhoto",
    "ProductSource",
    "RawBase",
    "SearchDoc",
    "SearchState",
    "SearchTerm",
    "StoredFile",
    "SynonymGroup",
    "Town",
    "User",
    "UserSession",
]

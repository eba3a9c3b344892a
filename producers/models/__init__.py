"""Models of the supply side; import from here."""

from .bank import Bank
from .certificate import VALIDITY_MONTHS, Certificate, add_months
from .classification import OcopGroup, OcopSet, OcopSubgroup
from .geo import Commune, CommuneLineage, Province
from .producer import Producer, ProducerKind, ProducerStatus
from .product import Product, ProductImage, ProductStatus
from .reference import ReferenceVersion

__all__ = [
    "Bank",
    "Certificate",
    "Commune",
    "CommuneLineage",
    "OcopGroup",
    "OcopSet",
    "OcopSubgroup",
    "Producer",
    "ProducerKind",
    "ProducerStatus",
    "Product",
    "ProductImage",
    "ProductStatus",
    "Province",
    "ReferenceVersion",
    "VALIDITY_MONTHS",
    "add_months",
]

# Revision tracking listens on every session once the models exist.
from producers import changes as _changes  # noqa: E402, F401

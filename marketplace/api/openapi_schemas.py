"""Component schemas of the OpenAPI document (the shapes the API answers with)."""

from __future__ import annotations

from typing import Any


def ref(name: str) -> dict[str, str]:
    """A JSON reference to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


NULLABLE_STR = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["type", "code", "message", "param"],
                "properties": {
                    "type": {
                        "type": "string",
                        "enum": [
                            "invalid_request_error",
                            "api_error",
                            "rate_limit_error",
                            "authentication_error",
                        ],
                    },
                    "code": {
                        "type": "string",
                        "examples": ["parameter_invalid", "resource_missing"],
                    },
                    "message": {"type": "string", "description": "Vietnamese, for people"},
                    "param": NULLABLE_STR,
                },
            }
        },
    },
    "Place": {
        "type": "object",
        "required": ["code", "name"],
        "properties": {
            "code": {
                "type": "string",
                "description": "Official 2025 code, text with leading zeros",
            },
            "name": {"type": "string"},
            "short_name": {"type": "string"},
            "type": {"type": "string"},
        },
    },
    "CertificateSummary": {
        "type": ["object", "null"],
        "properties": {
            "object": {"const": "certificate"},
            "id": {"type": "integer"},
            "stars": {"type": "integer", "minimum": 3, "maximum": 5},
            "decision_number": {"type": "string"},
            "decision_date": {"type": "string", "format": "date"},
            "decision_date_estimated": {"type": "boolean"},
            "issuing_authority": {"type": "string"},
            "valid_until": {"type": "string", "format": "date"},
            "valid": {"type": "boolean"},
        },
    },
    "ProducerSummary": {
        "type": "object",
        "required": ["id", "name", "kind"],
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["cooperative", "enterprise", "household"]},
            "slug": {"type": "string"},
        },
    },
    "Product": {
        "type": "object",
        "required": [
            "id",
            "name",
            "slug",
            "price_vnd",
            "stars",
            "certificate",
            "producer",
            "province",
            "commune",
            "url",
        ],
        "properties": {
            "object": {"const": "product"},
            "id": {"type": "integer"},
            "code": {"type": "string", "description": "Stable SKU, OCOP + 6 digits"},
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "price_vnd": {"type": "integer", "minimum": 0, "description": "Integer đồng"},
            "currency": {"const": "VND"},
            "unit": {"type": "string"},
            "net_quantity": {"type": "string"},
            "stock": {"type": "integer"},
            "is_service": {"type": "boolean"},
            "stars": {
                "type": ["integer", "null"],
                "description": "From the newest valid certificate; null when none is valid",
            },
            "certificate": ref("CertificateSummary"),
            "ocop_set": {"type": "object"},
            "producer": ref("ProducerSummary"),
            "province": ref("Place"),
            "commune": ref("Place"),
            "url": {"type": "string", "format": "uri"},
            "image": {"type": ["string", "null"], "format": "uri"},
            "description": {"type": "string"},
            "images": {"type": "array", "items": {"type": "object"}},
            "certificates": {"type": "array", "items": ref("CertificateSummary")},
        },
    },
    "PaymentIntent": {
        "type": "object",
        "required": [
            "id",
            "object",
            "amount",
            "amount_received",
            "currency",
            "status",
            "reference_code",
            "qr",
        ],
        "properties": {
            "id": {"type": "string", "examples": ["pi_3f9a…"]},
            "object": {"const": "payment_intent"},
            "amount": {"type": "integer", "minimum": 1, "description": "Integer đồng"},
            "amount_received": {"type": "integer"},
            "currency": {"const": "vnd"},
            "status": {
                "type": "string",
                "enum": [
                    "requires_payment",
                    "partially_paid",
                    "succeeded",
                    "expired",
                    "canceled",
                    "refunded",
                ],
            },
            "purpose": {"type": "string", "enum": ["order", "fee"]},
            "reference_code": {
                "type": "string",
                "description": "Goes into the transfer memo; ≤ 9 characters",
            },
            "description": {"type": "string"},
            "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            "payee": {"type": "object"},
            "qr": {
                "type": "object",
                "properties": {
                    "payload": {"type": "string", "description": "NAPAS VietQR (EMVCo) payload"},
                    "image_url": {"type": "string", "format": "uri"},
                    "svg_url": {"type": "string", "format": "uri"},
                },
            },
            "created": {"type": "integer"},
            "expires_at": {"type": "integer"},
            "canceled_at": {"type": ["integer", "null"]},
            "cancellation_reason": NULLABLE_STR,
            "succeeded_at": {"type": ["integer", "null"]},
        },
    },
    "Producer": {
        "type": "object",
        "required": ["id", "name", "kind", "province", "commune", "products"],
        "properties": {
            "object": {"const": "producer"},
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "kind": {"type": "string", "enum": ["cooperative", "enterprise", "household"]},
            "tax_code": NULLABLE_STR,
            "representative": {"type": "string"},
            "street": {"type": "string"},
            "address": {"type": "string"},
            "description": {"type": "string"},
            "province": ref("Place"),
            "commune": ref("Place"),
            "url": {"type": "string", "format": "uri"},
            "products": {"type": "array", "items": ref("Product")},
        },
    },
}

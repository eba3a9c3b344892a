"""The OpenAPI 3.1 document of /api/v1, kept beside the handlers it describes.

A test validates it with openapi-spec-validator's rules and checks every route is described.
"""

from __future__ import annotations

from typing import Any

from .openapi_schemas import SCHEMAS
from .openapi_schemas import ref as _ref


def _q(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or {"type": "string"},
    }


ERRORS = {
    "400": {
        "description": "Invalid parameter",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "404": {
        "description": "No such object",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "429": {
        "description": "Too many requests",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}

IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Same key + same body -> the stored response; other body -> 422; in flight -> 409",
    "schema": {"type": "string", "maxLength": 255},
}
CREATE_INTENT = {
    "type": "object",
    "required": ["amount"],
    "properties": {
        "amount": {"type": "integer", "minimum": 1},
        "description": {"type": "string", "maxLength": 200},
        "expires_in": {"type": "integer", "minimum": 300, "maximum": 604800},
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}
AUTH_ERRORS = {
    "401": {
        "description": "Missing or invalid API key",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "409": {
        "description": "Conflict (state or idempotency key in flight)",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "422": {
        "description": "Idempotency key reused with another body",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
}


def _list_of(schema: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["object", "data", "has_more"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": _ref(schema)},
            "has_more": {"type": "boolean"},
        },
    }


def _ok(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}},
        **ERRORS,
    }


def document() -> dict[str, Any]:
    """The OpenAPI document served at /api/v1/openapi.json."""
    search_params = [
        _q(
            "q",
            "Words, with or without Vietnamese accents; each must start a word of the product text",
        ),
        _q("province", "2-digit province code", {"type": "string", "pattern": "^[0-9]{1,2}$"}),
        _q("commune", "5-digit commune code", {"type": "string", "pattern": "^[0-9]{1,5}$"}),
        _q("group", "OCOP group code 1-6"),
        _q(
            "min_stars",
            "Only products whose valid certificate has at least this many stars",
            {"type": "integer", "minimum": 3, "maximum": 5},
        ),
        _q(
            "kind",
            "Producer kind",
            {"type": "string", "enum": ["cooperative", "enterprise", "household"]},
        ),
        _q("price_min", "Integer đồng", {"type": "integer", "minimum": 0}),
        _q("price_max", "Integer đồng", {"type": "integer", "minimum": 0}),
        _q(
            "sort",
            "Order",
            {
                "type": "string",
                "enum": ["relevance", "price_asc", "price_desc", "stars", "newest", "name"],
            },
        ),
        _q("limit", "Page size", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}),
        _q("starting_after", "Id of the last product of the previous page", {"type": "integer"}),
    ]
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Chợ OCOP API",
            "version": "1",
            "description": "Public catalogue of OCOP products. Errors are JSON objects "
            '`{"error": {"type", "code", "message", "param"}}`; lists are '
            '`{"object": "list", "data", "has_more"}` paginated with `starting_after`.',
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/products": {
                "get": {
                    "operationId": "listProducts",
                    "summary": "Search products",
                    "parameters": search_params,
                    "responses": _ok(_list_of("Product")),
                }
            },
            "/products/{id}": {
                "get": {
                    "operationId": "getProduct",
                    "summary": "One product with its certificates",
                    "parameters": [id_param],
                    "responses": _ok(_ref("Product")),
                }
            },
            "/producers/{id}": {
                "get": {
                    "operationId": "getProducer",
                    "summary": "One producer with its products",
                    "parameters": [id_param],
                    "responses": _ok(_ref("Producer")),
                }
            },
            "/provinces": {
                "get": {
                    "operationId": "listProvinces",
                    "summary": "The 34 provinces (2025)",
                    "responses": _ok(_list_of("Place")),
                }
            },
            "/provinces/{code}/communes": {
                "get": {
                    "operationId": "listCommunes",
                    "summary": "Communes of a province (2025)",
                    "parameters": [
                        {
                            "name": "code",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        _q("with_products", "1 = only communes with published products"),
                    ],
                    "responses": _ok(_list_of("Place")),
                }
            },
            "/ocop/groups": {
                "get": {
                    "operationId": "listOcopGroups",
                    "summary": "OCOP classification tree",
                    "responses": _ok({"type": "object"}),
                }
            },
            "/payment_intents": {
                "post": {
                    "operationId": "createPaymentIntent",
                    "summary": "Create a payment intent paying the producer's own account",
                    "security": [{"apiKey": []}],
                    "parameters": [IDEMPOTENCY],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": CREATE_INTENT},
                            "application/x-www-form-urlencoded": {"schema": CREATE_INTENT},
                        }
                    },
                    "responses": _ok(_ref("PaymentIntent")) | AUTH_ERRORS,
                },
                "get": {
                    "operationId": "listPaymentIntents",
                    "summary": "The producer's payment intents, newest first",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        _q("limit", "Page size", {"type": "integer", "minimum": 1, "maximum": 100}),
                        _q("starting_after", "Id of the last intent of the previous page"),
                        _q("status", "Only this status"),
                    ],
                    "responses": _ok(_list_of("PaymentIntent")) | AUTH_ERRORS,
                },
            },
            "/payment_intents/{id}": {
                "get": {
                    "operationId": "getPaymentIntent",
                    "summary": "One payment intent",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": _ok(_ref("PaymentIntent")) | AUTH_ERRORS,
                }
            },
            "/payment_intents/{id}/cancel": {
                "post": {
                    "operationId": "cancelPaymentIntent",
                    "summary": "Cancel an open payment intent",
                    "security": [{"apiKey": []}],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        IDEMPOTENCY,
                    ],
                    "responses": _ok(_ref("PaymentIntent")) | AUTH_ERRORS,
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "sk_live_… from `ocop apikey create`",
                }
            },
        },
    }

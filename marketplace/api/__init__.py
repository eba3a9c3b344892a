"""The JSON API (/api/v1): Stripe-like lists, typed errors, an OpenAPI document."""

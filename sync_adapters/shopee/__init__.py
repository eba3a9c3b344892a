"""Shopee Open Platform v2: signing, client, payload mapping and category tree."""

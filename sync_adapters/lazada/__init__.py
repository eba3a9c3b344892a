"""Lazada Open Platform: signing, client, payload mapping and categories."""

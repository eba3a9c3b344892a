"""Sendo Open API: shop key + secret key log in for an 8-hour token; ``id=0`` creates."""

"""Performance bench: storefront search latency and search-page throughput (``python -m bench``)."""

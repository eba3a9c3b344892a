"""The supply side: producers, addresses, OCOP products, certificates, images."""

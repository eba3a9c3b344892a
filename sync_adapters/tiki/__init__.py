"""Tiki Open API: OAuth2 bearer tokens; a new product is a request Tiki reviews."""

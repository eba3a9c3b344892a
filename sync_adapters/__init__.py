"""Marketplace clients and export-pack writers: pure library code (dataclasses in and out).

Imports neither ``marketplace``, ``producers`` nor SQLAlchemy (enforced by import-linter).
"""

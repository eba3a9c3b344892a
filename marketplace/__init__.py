"""Chợ OCOP — the Flask application."""

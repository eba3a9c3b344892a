"""Shared foundations: database, text folding, money, errors."""

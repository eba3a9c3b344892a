"""Payments: VietQR intents, bank-transfer notifications and the ledger they feed."""

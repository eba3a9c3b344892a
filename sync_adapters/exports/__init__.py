"""Export-pack writers for the channels without a public seller API (Postmart, Vỏ Sò)."""

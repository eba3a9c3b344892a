"""TikTok Shop Partner API (202309): signing, client, payload mapping and categories."""

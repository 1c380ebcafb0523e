"""Sharing from the local journal: chosen entries and check-ins, published to a circle server."""

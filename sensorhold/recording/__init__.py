"""Append-only session recordings, readers that survive damage, CSV input and export."""

"""Emulated sensors: real Bumble GATT servers driven by a body-motion model."""

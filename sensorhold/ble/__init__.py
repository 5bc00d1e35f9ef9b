"""Bluetooth I/O on bleak: scan, connect, supervise; the Bumble backend for emulated sensors."""

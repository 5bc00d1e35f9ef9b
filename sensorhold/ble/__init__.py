"""Bluetooth I/O on bleak: scan, connect, supervise; the Bumble backend for emulated sensors.

``backend`` picks the bleak backend (platform or Bumble), ``link`` keeps one sensor streaming,
``scan`` lists supported sensors nearby, ``errors`` holds the problems a user can fix, and
``bumble_backend`` is the virtual radio the emulated sensors live on.
"""

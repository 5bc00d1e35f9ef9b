"""Calibration: pure fitting of mounting and stage angles, and profile files."""

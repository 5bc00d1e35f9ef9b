"""Screens: live, symptom check-in, summary, help."""

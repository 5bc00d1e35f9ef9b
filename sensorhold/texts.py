"""Text a person reads, kept in one place."""

NOTICE = (
    "sensorhold is a biofeedback tool, not a diagnostic device. It does not diagnose or treat "
    "any condition. Follow your clinician's advice; stop and seek care if symptoms worsen."
)

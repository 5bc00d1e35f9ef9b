"""sensorhold: wearable-sensor biofeedback for prone lumbar extension exercise."""

__version__ = "0.1.0"

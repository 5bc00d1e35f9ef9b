"""The guided calibration UI (``sensorhold calibrate``)."""

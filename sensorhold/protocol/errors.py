"""The one error a decoder raises."""


class MalformedPacket(ValueError):
    """A notification that does not match the sensor's packet layout; it is counted and skipped."""

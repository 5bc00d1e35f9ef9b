"""Errors a person can act on: the CLI prints them as one ``error:`` line, never a traceback."""


class UserError(Exception):
    """Bad input or environment, with a message that says what is wrong and what to do."""


class InputError(UserError):
    """A file that cannot be read as a recording or CSV."""


class ProfileError(UserError):
    """A calibration profile that is missing, broken or made for something else."""


class UnknownSensorError(UserError):
    """A sensor model with no spec in ``firmware_specs/``."""

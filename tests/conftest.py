"""Test-wide settings: under CI (``CI=true``), hypothesis draws the same examples every run, so
a red run can be reproduced and a green one means the same thing each time; locally it keeps
exploring new examples."""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

"""``python -m sensorhold``."""

import sys

from sensorhold.cli import main

sys.exit(main())

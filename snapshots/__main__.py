"""Entry point for `python -m snapshots`."""

import sys

from snapshots.cli import main

sys.exit(main())

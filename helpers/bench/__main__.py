"""``python -m helpers.bench``: see :mod:`helpers.bench.cli`."""

import sys

from .cli import main

sys.exit(main())

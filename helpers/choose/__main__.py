"""``python -m helpers.choose``: see :mod:`helpers.choose.cli`."""

import sys

from .cli import main

sys.exit(main())

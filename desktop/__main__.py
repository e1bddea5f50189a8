from __future__ import annotations

import sys

from desktop.cli.main import main

sys.exit(main())

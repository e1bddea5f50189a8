"""The frozen `carbondesk` command (PyInstaller's entry point)."""

import sys

from desktop.cli.main import main

sys.exit(main())

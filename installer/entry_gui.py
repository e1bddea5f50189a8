"""The frozen `carbondesk-gui` window (PyInstaller's entry point; no console window on Windows)."""

import sys

from desktop.ui.app import main

sys.exit(main())

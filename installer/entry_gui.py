"""The frozen `carbondesk-gui` window (PyInstaller's entry point; no console window on Windows)."""

import sys

from desktop.ui.launch import main  # the window's frame first, the application behind it

sys.exit(main())

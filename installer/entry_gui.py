"""The frozen `carbondesk-gui` window (PyInstaller's entry point; no console window on Windows)."""

import sys

from desktop.services.pdf_process import run_helper_if_asked

run_helper_if_asked()  # started as the package's PDF process: serves it and exits (the standard library only)

from desktop.ui.launch import main  # noqa: E402  the window's frame first, the application behind it

sys.exit(main())

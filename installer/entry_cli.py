"""The frozen `carbondesk` command (PyInstaller's entry point)."""

import sys

from desktop.services.pdf_process import run_helper_if_asked

run_helper_if_asked()  # started as the package's PDF process: serves it and exits (the standard library only)

from desktop.cli.main import main  # noqa: E402

sys.exit(main())

"""The headless command line: automation and verifiers."""

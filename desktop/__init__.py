"""CarbonDesk: monthly deposit, annual report and compliance for China's national carbon market."""

from __future__ import annotations

__version__ = "0.1.0"

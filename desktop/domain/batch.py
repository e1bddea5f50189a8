"""Work that makes a great many small objects at once (a year read from storage, a year's calculation)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """A year read or calculated makes hundreds of thousands of small objects and no reference cycles: the
    cyclic collector would only walk them again and again (a third of a large year's time, and quadratic
    in its size).  It is paused for the batch; what the batch made is then moved out of the collector's
    generations (``gc.freeze``: freed by reference counting as always, never walked again), and the
    collector runs as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()

"""Pausing Python's cyclic garbage collector while bulk data is built.

Loading the result cache and the project phase create millions of objects that stay
alive until the phase ends and form no reference cycles. Each full collection walks every
live object, and allocation triggers one again and again as the heap grows: on a large
project those passes cost as much as the work itself. Reference counting still frees
everything that is dropped meanwhile.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the phase built would make the next full collection walk all of it
            # once more (half a second on a large project); it is bulk data, not cycles,
            # so it moves to the generation the collector never scans until
            # `collector_released()` at the end of the run.
            gc.freeze()
            gc.enable()


def collector_released() -> None:
    """Give what the paused phases froze back to the collector: a caller that runs the
    engine in its own process (tests, a library user) must not keep it frozen for good."""
    gc.unfreeze()

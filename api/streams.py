"""Standard streams that survive a reader closing the pipe early (``pmo check … | head -1``).

Once a write fails with a broken pipe, the stream's file descriptor is pointed at the null
device and later writes are dropped: the command runs to its end and exits with its own
code, instead of a traceback or a bare exit 1.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO


class PipeSafe:
    """A text stream wrapper that turns a broken pipe into silence."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        """Write ``text`` (dropped once the reader has gone)."""
        if self.broken:
            return len(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._divert()
            return len(text)

    def flush(self) -> None:
        """Flush (nothing once the reader has gone)."""
        if self.broken:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._divert()

    def _divert(self) -> None:
        self.broken = True
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._stream.fileno())
            os.close(null)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` in :class:`PipeSafe` (once)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, PipeSafe):
            setattr(sys, name, PipeSafe(stream))

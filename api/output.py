"""Output files written safely: checked before the solve, replaced atomically, never followed.

A target is checked before any work starts (:func:`check_target`): its folder is created
if missing and must accept a new file, and an existing target must be a regular file (or a
symbolic link, which is replaced, never written through). ``-`` means standard output.
FIFOs, devices, sockets and folders are refused. :func:`write_text` writes a fresh,
uniquely named temporary file in the target's folder (``O_CREAT | O_EXCL | O_NOFOLLOW``),
fsyncs it, renames it over the target and fsyncs the folder: a reader sees the old file or
the new one, never half of one, and no planted file or link is ever opened.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from pathlib import Path

from model.rules import Issue

STDOUT = "-"


class OutputError(Exception):
    """An output target that cannot be written, with the option and path it came from."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue
        super().__init__(str(issue))


def is_stdout(path: Path | None) -> bool:
    """Whether ``path`` is ``-`` (write to standard output)."""
    return path is not None and str(path) == STDOUT


def check_target(path: Path, option: str) -> None:
    """Refuse a target that cannot take the output, before any work is done.

    Parameters
    ----------
    path
        The output file (``-`` is always accepted).
    option
        The option that named it (``--output``), for the message.

    Raises
    ------
    OutputError
        The target is a folder, FIFO, device or socket, its folder cannot be created,
        or a file cannot be created in it.
    """
    if is_stdout(path):
        return
    where = f"{option} {path}"
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(Issue(where, f"cannot use this path: {exc.strerror}")) from None
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (FIFO, device or socket)"
        raise OutputError(Issue(where, f"{kind}: give a file path, or - for standard output"))
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=f".{path.name[:50]}.", suffix=".check", dir=folder)
    except OSError as exc:
        raise OutputError(Issue(where, f"cannot write in {folder}: {exc.strerror}")) from None
    os.close(handle)
    os.unlink(probe)


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (``-``: print it to standard output).

    Raises
    ------
    OutputError
        The target or its folder cannot be written (the old file, if any, is untouched
        and no temporary file is left behind).
    """
    if is_stdout(path):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
        return
    check_target(path, "output")
    data = text.encode("utf-8")
    folder = path.parent
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name[:50]}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(Issue(str(path), f"cannot write in {folder}: {exc.strerror}")) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise OutputError(Issue(str(path), f"cannot write: {exc.strerror}")) from None
        raise
    _sync_folder(folder)


def _umask() -> int:
    # read by setting and restoring: the only portable way, done once per write
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (folders cannot be opened for syncing on every system)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

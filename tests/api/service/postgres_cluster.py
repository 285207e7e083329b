"""A throwaway PostgreSQL cluster on a local socket, for the service tests (standard library only).

``python tests/api/service/postgres_cluster.py start DIR`` prints the URL of a new cluster in
``DIR``; ``… stop DIR`` stops it. The test fixtures call the same functions when no
``PMO_TEST_POSTGRES_URL`` is given. initdb refuses to run as root: as root the cluster belongs
to the ``postgres`` user (or ``nobody``) and its programs run through ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

USER = "pmo"
OWNERS = ("postgres", "nobody")
SERVER_OPTIONS = "-c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def find_bin() -> Path | None:
    """The folder of ``pg_ctl`` and ``initdb`` (Debian's newest version first), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if found:
        return Path(found[0]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path and shutil.which("initdb") else None


def _owner() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in OWNERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root and no postgres or nobody user to own the cluster")


def _run(command: list[str], owner: str | None) -> None:
    if owner is not None:
        command = ["runuser", "-u", owner, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(directory: Path) -> str:
    """Create and start a cluster in ``directory`` (which must exist and be empty).

    Returns
    -------
    str
        The SQLAlchemy URL of its ``postgres`` database (user ``pmo``, no password, on a socket in ``directory``).
    """
    bin_dir = find_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (no pg_ctl)")
    owner = _owner()
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    directory.chmod(0o700)
    data = directory / "data"
    _run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
        owner,
    )
    port = _free_port()
    options = f"-k {directory} -p {port} {SERVER_OPTIONS}"
    _run(
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(directory / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        owner,
    )
    return f"postgresql+psycopg://{USER}@/postgres?host={directory}&port={port}"


def stop(directory: Path) -> None:
    """Stop the cluster in ``directory`` (nothing if it is not running)."""
    bin_dir = find_bin()
    data = directory / "data"
    if bin_dir is None or not (data / "postmaster.pid").exists():
        return
    _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], _owner())


def main(argv: list[str]) -> int:
    """``start DIR`` (prints the URL) or ``stop DIR``."""
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: postgres_cluster.py start|stop DIR", file=sys.stderr)
        return 2
    directory = Path(argv[1])
    if argv[0] == "start":
        print(start(directory))
    else:
        stop(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

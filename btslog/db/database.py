"""Opening the project database: engine, pragmas, migrations, transactions.

SQLite is the default (one file in the project, WAL journal, a generous busy timeout so two
editors writing at once wait for each other instead of failing).  Write transactions start
with ``BEGIN IMMEDIATE`` so concurrent writers queue up front rather than deadlocking on a
lock upgrade.  A ``postgresql://`` URL works the same way for teams sharing one database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError

from btslog.errors import ProjectError

# The newest migration; a test checks it matches the migration scripts' head.
HEAD_REVISION = "0004"
BUSY_TIMEOUT_MS = 60_000
MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's begin event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = FULL")
        # WAL lets readers work while an editor writes; it is stored in the file, so this
        # only changes a new database (and repairs one copied without its mode).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("immediate"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


class Database:
    """A project database.  Use :meth:`write` and :meth:`read` for transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine = create_engine(url, future=True)
        if self.is_sqlite:
            _configure_sqlite(self.engine)

    @classmethod
    def open(cls, url: str, *, create: bool = False) -> Database:
        """Open (and, with ``create``, make) the database, migrating it to the newest schema."""
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists() and not create:
                raise ProjectError(
                    f"{path}: the project database is missing",
                    hint="run `btslog init` in the project folder, or restore btslog.db "
                    "from a backup",
                )
        database = cls(url)
        try:
            database.migrate()
        except (OperationalError, DatabaseError) as error:
            raise ProjectError(
                f"cannot open the project database {url}: {error.orig}",
                hint="check the file is a btslog database and that you may write to it",
            ) from error
        return database

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            has_table = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
                if self.is_sqlite
                else "SELECT 1 FROM information_schema.tables WHERE table_name='alembic_version'"
            ).first()
            if not has_table:
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None

    def migrate(self) -> None:
        """Bring the schema to :data:`HEAD_REVISION` (Alembic loads only when needed)."""
        current = self.revision()
        if current == HEAD_REVISION:
            return
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
        if current is not None and current not in known:
            raise ProjectError(
                f"the project database is at schema {current}, newer than this btslog knows",
                hint="upgrade btslog (pip install -U btslog)",
            )
        with self.write() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: committed on success, rolled back on any exception."""
        connection = self.engine.connect().execution_options(immediate=True)
        with connection, connection.begin():
            yield connection

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    def close(self) -> None:
        self.engine.dispose()

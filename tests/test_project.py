"""Projects and the database: init, discovery, WAL, migrations matching the schema."""

from __future__ import annotations

import sqlite3
import tomllib

import pytest
from conftest import run_cli

from btslog.db.database import HEAD_REVISION, MIGRATIONS, Database, sqlite_url
from btslog.errors import ProjectError
from btslog.ops.project import find_root, init_project, open_project


def test_init_writes_config_and_a_wal_database(tmp_path):
    project = init_project(tmp_path / "shoot", name="Day one", rate="29.97")
    config = tomllib.loads((tmp_path / "shoot" / "btslog.toml").read_text())
    assert config["project"] == {"name": "Day one", "rate": "29.97"}
    assert config["consent"]["blur"] == "all_but_released"
    connection = sqlite3.connect(tmp_path / "shoot" / "btslog.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert {"clips", "tags", "people", "consent_events", "face_tracks", "cuts",
            "cut_segments", "audit_log", "alembic_version"} <= tables  # fmt: skip
    assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] == (
        HEAD_REVISION
    )
    assert project.rate.numerator == 30000 and project.rate.denominator == 1001


def test_connections_wait_for_locks_and_enforce_foreign_keys(project):
    with project.db.read() as connection:
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_head_matches_code_and_schema(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from btslog.db.schema import metadata

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD_REVISION
    database = Database.open(sqlite_url(tmp_path / "x.db"), create=True)
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_init_refuses_an_existing_project_and_bad_rates(tmp_path):
    init_project(tmp_path / "p", name="P", rate="24")
    with pytest.raises(ProjectError, match="already a btslog project"):
        init_project(tmp_path / "p", name="P", rate="24")
    result = run_cli("init", str(tmp_path / "q"), "--name", "Q", "--rate", "banana")
    assert result.returncode == 1
    assert "banana" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "q" / "btslog.toml").exists()


def test_project_found_from_flag_env_and_parent_folders(tmp_path, monkeypatch):
    init_project(tmp_path / "p", name="P", rate="25")
    deep = tmp_path / "p" / "media" / "day1"
    deep.mkdir(parents=True)
    assert find_root(start=deep) == (tmp_path / "p").resolve()
    assert find_root(tmp_path / "p") == (tmp_path / "p").resolve()
    with pytest.raises(ProjectError, match="no btslog project"):
        find_root(start=tmp_path)
    # The CLI: walking up, the environment variable, and --project.
    assert run_cli("clips", "--format", "json", cwd=deep).stdout.strip() == "[]"
    env_result = run_cli("clips", "--format", "json", cwd=tmp_path,
                         env={"BTSLOG_PROJECT": str(tmp_path / "p")})  # fmt: skip
    assert env_result.returncode == 0 and env_result.stdout.strip() == "[]"
    flag_result = run_cli("--project", str(tmp_path / "p"), "clips", cwd=tmp_path)
    assert flag_result.returncode == 0
    missing = run_cli("clips", cwd=tmp_path)
    assert missing.returncode == 1
    assert "no btslog project" in missing.stderr and "btslog init" in missing.stderr


def test_broken_config_is_named(tmp_path):
    init_project(tmp_path / "p", name="P", rate="25")
    (tmp_path / "p" / "btslog.toml").write_text("[project\nname = 1\n")
    with pytest.raises(ProjectError, match="btslog.toml: not valid TOML"):
        open_project(tmp_path / "p")
    (tmp_path / "p" / "btslog.toml").write_text('[project]\nname = "P"\nrate = "7.3.1"\n')
    with pytest.raises(ProjectError, match="rate"):
        open_project(tmp_path / "p")


def test_missing_database_is_a_clear_error(tmp_path):
    init_project(tmp_path / "p", name="P", rate="25")
    (tmp_path / "p" / "btslog.db").unlink()
    result = run_cli("--project", str(tmp_path / "p"), "clips")
    assert result.returncode == 1
    assert "project database is missing" in result.stderr

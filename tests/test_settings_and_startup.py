"""Env-driven settings: safe defaults, SQLite pragmas, generated secret, deploy check, ctype."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from minqing.org.db_checks import ctype_problem

ROOT = Path(__file__).resolve().parents[1]


def run_minqing(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MINQING_", "SECRET_KEY", "DJANGO_ALLOW_ASYNC", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-m", "minqing", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_is_off_unless_asked():
    from minqing import settings as project_settings

    assert "MINQING_DEBUG" not in os.environ or os.environ["MINQING_DEBUG"] != "1"
    assert project_settings.DEBUG is False


def test_language_and_time_zone_defaults():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert ("en", "English") in settings.LANGUAGES
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
@pytest.mark.django_db
def test_sqlite_runs_wal_with_foreign_keys_and_immediate_transactions():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_sqlite_file_database_uses_wal(tmp_path):
    result = run_minqing(
        "shell", "-c",
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
        env={"MINQING_VAR_DIR": str(tmp_path), "DATABASE_URL": ""},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "wal"


def test_secret_key_is_generated_once_into_var_and_reused(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_minqing("shell", "-c", code, env={"MINQING_VAR_DIR": str(tmp_path)})
    second = run_minqing("shell", "-c", code, env={"MINQING_VAR_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert oct(key_file.stat().st_mode)[-3:] == "600"
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50


def test_check_deploy_is_clean_with_production_env(tmp_path):
    result = run_minqing(
        "check", "--deploy", "--fail-level", "WARNING",
        env={
            "MINQING_VAR_DIR": str(tmp_path),
            "SECRET_KEY": "k" * 10 + "production-secret-with-plenty-of-entropy-0123456789-xyz",
            "ALLOWED_HOSTS": "minqing.example.gov.cn",
            "MINQING_HTTPS": "1",
        },
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_without_https(tmp_path):
    result = run_minqing(
        "check", "--deploy", "--fail-level", "WARNING",
        env={"MINQING_VAR_DIR": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("encoding", "ctype", "ok"),
    [
        ("UTF8", "C.UTF-8", True),
        ("UTF8", "en_US.utf8", True),
        ("UTF8", "C", False),
        ("SQL_ASCII", "C", False),
        ("LATIN1", "en_US", False),
    ],
)
def test_postgres_ctype_must_be_utf8(encoding, ctype, ok):
    problem = ctype_problem(encoding, ctype)
    assert (problem is None) == ok
    if not ok:
        assert "UTF" in problem


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db
def test_running_postgres_database_passed_the_ctype_check():
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        assert ctype_problem("UTF8", cursor.fetchone()[0]) is None


def test_content_security_policy_allows_only_this_site(db, client):
    header = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in header
    assert "http" not in header

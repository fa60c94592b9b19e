"""Shared helpers for the benchmarks: throwaway var dir, fresh database, subprocess env."""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dev import redis_answers  # noqa: E402 - the quick start's own test for a local Redis

VENV_BIN = REPO / ".venv" / "bin"
CPDNET = VENV_BIN / "cpdnet"


def make_var_dir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def remove_var_dir(var_dir: Path, keep: bool) -> None:
    if keep:
        print(f"kept the throwaway data dir {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)


def bench_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for cpdnet subprocesses: everything (SQLite, static, mail) under var_dir."""
    env = dict(os.environ)
    env.update(
        CPDNET_VAR_DIR=str(var_dir),
        CPDNET_STATIC_ROOT=str(var_dir / "static"),
        CPDNET_MEDIA_ROOT=str(var_dir / "media"),
        CPDNET_DEBUG="0",
        # This checkout's code first, whichever checkout the virtual environment was made in.
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(REPO / "src"), str(REPO), env.get("PYTHONPATH", "")])
        ),
    )
    # Production settings want a real key and a cache shared by the server's processes.
    env.setdefault("CPDNET_SECRET_KEY", secrets.token_urlsafe(64))
    env.setdefault("CPDNET_SECURE_COOKIES", "0")
    env.setdefault(
        "CPDNET_CACHE_URL", "redis://127.0.0.1:6379/0" if redis_answers() else "database"
    )
    env.setdefault("DJANGO_SETTINGS_MODULE", "cpdnet.settings")
    for scope in ("EVENT_REGISTRATION", "CERTIFICATE_CHECK", "SIGN_IN_FAILURE"):
        for kind in ("IP", "ACCOUNT", "ALL"):
            env.setdefault(f"CPDNET_RATE_{scope}_{kind}", "1000000000/60")
    # Byte-code as a deployment has it, kept in the throwaway dir (not next to the sources):
    # with PYTHONDONTWRITEBYTECODE every process would compile ~550 modules (~1 s) at start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(var_dir / "pycache")
    env.update(extra)
    return env


def database_label(var_dir: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"SQLite ({var_dir / 'cpdnet.sqlite3'})"
    parts = urlsplit(url)
    return f"{parts.scheme} database '{parts.path.lstrip('/')}' on {parts.hostname}:{parts.port}"


def fresh_database() -> None:
    """With DATABASE_URL set to PostgreSQL, (re)create that database empty.

    Only a database whose name contains "bench" is dropped, so a mistyped URL cannot wipe a
    real database. With SQLite nothing is needed: the file lives in the throwaway var dir.
    """
    url = os.environ.get("DATABASE_URL")
    if not url:
        return
    parts = urlsplit(url)
    if not parts.scheme.startswith(("postgres", "pgsql")):
        sys.exit(f"DATABASE_URL must be PostgreSQL or unset (SQLite), not {parts.scheme}")
    name = unquote(parts.path.lstrip("/"))
    import psycopg
    from psycopg import sql

    maintenance = parts._replace(path="/postgres", scheme="postgresql").geturl()
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            if "bench" not in name:
                sys.exit(
                    f"Refusing to empty database '{name}': use a database whose name contains "
                    "'bench' (e.g. cpdnet_bench); it is dropped and created again."
                )
            connection.execute(
                sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
            )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_cpdnet(args: list[str], env: dict[str, str], quiet: bool = True) -> str:
    """Run `cpdnet ARGS` to completion; return its stdout, exit with its output on failure."""
    completed = subprocess.run(
        [str(CPDNET), *args], env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"cpdnet {' '.join(args)} failed with exit code {completed.returncode}")
    if not quiet:
        sys.stdout.write(completed.stdout)
    if args[:1] == ["migrate"] and env.get("CPDNET_CACHE_URL") == "database":
        run_cpdnet(["createcachetable"], env)
    return completed.stdout


def migrate(env: dict[str, str]) -> None:
    """Migrate, and make the cache table the `database` cache needs (a no-op with Redis)."""
    run_cpdnet(["migrate", "--noinput"], env)
    run_cpdnet(["createcachetable"], env)

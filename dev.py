#!/usr/bin/env python3
"""Set up and run cpdnet on this machine: `python3 dev.py serve` or `python3 dev.py test`.

serve: make the virtual environment, install the locked dependencies, migrate, load the demo
       data, collect static files and serve the portal with gunicorn, a production WSGI
       server, on http://127.0.0.1:8000 (`--port N` for another port, `--reload` to restart
       when the code or a template changes).
test:  the same environment with the development tools, Debian's Chromium for the browser
       tests (installed with apt-get when missing and possible), ruff, then the whole pytest
       suite. Extra arguments go to pytest. DATABASE_URL picks PostgreSQL.
"""

import argparse
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
LOCK = ROOT / "requirements.lock"
CHROMIUM = os.environ.get("CPDNET_CHROMIUM", "/usr/bin/chromium")


def run(*command: str | Path, env: dict | None = None) -> None:
    result = subprocess.run([str(part) for part in command], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit("cpdnet needs Python 3.11 or newer: run this script with python3.11.")
    if not (BIN / "python").exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / ".cpdnet-installed"
    wanted = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("Installing the locked dependencies ...", flush=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-r", LOCK)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    stamp.write_text(wanted)


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing Debian's chromium for the browser tests ...", flush=True)
        apt = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=apt)
        run("apt-get", "install", "-y", "-qq", "chromium", env=apt)
        if Path(CHROMIUM).exists():
            return
    sys.exit(f"Browser tests need Chromium at {CHROMIUM}: run `sudo apt-get install chromium`.")


def secret_key(var_dir: Path) -> str:
    """The key in var/secret_key, made once (readable by this user only) and kept."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def redis_answers(host: str = "127.0.0.1", port: int = 6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def serve(arguments: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python3 dev.py serve")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (8000)")
    parser.add_argument(
        "--reload", action="store_true", help="restart when the code or a template changes"
    )
    options = parser.parse_args(arguments)
    ensure_environment()
    var_dir = Path(os.environ.get("CPDNET_VAR_DIR", ROOT / "var"))
    address = f"http://127.0.0.1:{options.port}"
    env = {
        # Production settings (docs/deploy.md), relaxed only where a local demo needs it.
        "CPDNET_DEBUG": "0",
        "CPDNET_SECRET_KEY": secret_key(var_dir),
        "CPDNET_SECURE_COOKIES": "0",  # plain http on this machine
        "CPDNET_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CPDNET_CACHE_URL": "redis://127.0.0.1:6379/0" if redis_answers() else "database",
        # Links in emails and calendar files point at this server.
        "CPDNET_SITE_URL": address,
        # Development runs tasks (emails) at once; production runs `cpdnet worker`.
        "CPDNET_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        **os.environ,
        "CPDNET_SERVE_RELOAD": "1" if options.reload else "0",
    }
    cpdnet = BIN / "cpdnet"
    run(cpdnet, "migrate", "--verbosity", "0", env=env)
    run(cpdnet, "createcachetable", env=env)
    # The demo's emails are sent at once, each task logging a line; keep the console readable.
    quiet = os.environ.get("CPDNET_OPERATIONS_LOG_LEVEL", "WARNING")
    run(cpdnet, "load-demo", env={**env, "CPDNET_OPERATIONS_LOG_LEVEL": quiet})
    run(cpdnet, "collectstatic", "--noinput", "--verbosity", "0", env=env)
    print(f"Serving cpdnet on {address} (stop with Ctrl+C)", flush=True)
    gunicorn = BIN / "gunicorn"
    os.execve(
        gunicorn,
        [
            str(gunicorn),
            "--config",
            "python:cpdnet.gunicorn_config",
            "--bind",
            f"127.0.0.1:{options.port}",
            "cpdnet.wsgi:application",
        ],
        env,
    )


def test(pytest_arguments: list[str]) -> None:
    ensure_environment()
    ensure_chromium()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *pytest_arguments])


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        sys.exit(
            "usage: python3 dev.py serve [--port N] [--reload]"
            " | python3 dev.py test [pytest arguments]"
        )
    if sys.argv[1] == "serve":
        serve(sys.argv[2:])
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()

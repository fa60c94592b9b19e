#!/usr/bin/env python3
"""Set up and run cpdnet on this machine: `python3 dev.py serve` or `python3 dev.py test`.

serve: make the virtual environment, install the locked dependencies, migrate, load the demo
       data, collect static files and serve the portal on http://127.0.0.1:8000.
test:  the same environment with the development tools, Debian's Chromium for the browser
       tests (installed with apt-get when missing and possible), ruff, then the whole pytest
       suite. Extra arguments go to pytest. DATABASE_URL picks PostgreSQL.
"""

import hashlib
import os
import shutil
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


def serve() -> None:
    ensure_environment()
    env = {
        "CPDNET_DEBUG": "1",
        # Development runs tasks (emails) at once; production runs `cpdnet worker`.
        "CPDNET_TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        **os.environ,
    }
    cpdnet = BIN / "cpdnet"
    run(cpdnet, "migrate", "--verbosity", "0", env=env)
    run(cpdnet, "load-demo", env=env)
    run(cpdnet, "collectstatic", "--noinput", "--verbosity", "0", env=env)
    print("Serving cpdnet on http://127.0.0.1:8000 (stop with Ctrl+C)", flush=True)
    os.execve(cpdnet, [str(cpdnet), "runserver", "127.0.0.1:8000"], env)


def test(pytest_arguments: list[str]) -> None:
    ensure_environment()
    ensure_chromium()
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    os.execv(BIN / "python", [str(BIN / "python"), "-m", "pytest", *pytest_arguments])


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test"}:
        sys.exit("usage: python3 dev.py serve | python3 dev.py test [pytest arguments]")
    if sys.argv[1] == "serve":
        serve()
    else:
        test(sys.argv[2:])


if __name__ == "__main__":
    main()

"""gunicorn settings for a cpdnet web server: `gunicorn -c deploy/gunicorn.conf.py cpdnet.wsgi`.

Every value can be changed from the environment (see .env.example). Prometheus counters of the
worker processes are written to PROMETHEUS_MULTIPROC_DIR and added up when /metrics is read, so
that directory must be this server's own, emptied at start.
"""

import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("CPDNET_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one process, most of its time in the database.
workers = int(os.environ.get("CPDNET_WEB_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
timeout = int(os.environ.get("CPDNET_WEB_TIMEOUT", "30"))
# On SIGTERM or a restart, requests in flight may finish for this long.
graceful_timeout = int(os.environ.get("CPDNET_WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker that leaks is replaced now and then, not all at once.
max_requests = 2000
max_requests_jitter = 200
# The proxy sets X-Forwarded-Proto; only trust it from the proxy.
forwarded_allow_ips = os.environ.get("CPDNET_TRUSTED_PROXIES", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips

# One JSON line per request with the request id nginx sent (or cpdnet made: the answer's header).
accesslog = "-"
errorlog = "-"
access_log_format = (
    '{"logger": "gunicorn.access", "time": "%(t)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"client": "%({x-real-ip}i)s", "correlation_id": "%({x-request-id}o)s"}'
)

_metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    str(Path(tempfile.gettempdir()) / f"cpdnet-prometheus-{bind.rsplit(':', 1)[-1]}"),
)


def on_starting(server):
    # Counters of an earlier run of this server would be added to the new ones.
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

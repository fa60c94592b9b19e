"""gunicorn settings for cpdnet: `gunicorn -c python:cpdnet.gunicorn_config cpdnet.wsgi`.

Used by `python3 dev.py serve` and fit for a deployment. Threads (gthread) rather than sync
workers: a request waiting on the database or a row lock does not hold a whole process, and a
burst of visitors queues in the listen backlog instead of being reset. Override with gunicorn's
own variables: WEB_CONCURRENCY (workers), GUNICORN_CMD_ARGS (anything, e.g. "--threads 8").
"""

import os
from pathlib import Path

_cores = os.cpu_count() or 1

worker_class = "gthread"
# One process per core and one spare, capped so that a big machine's memory is not spent on
# copies of the postcode index; threads cover the time each request waits on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * _cores + 1, 9)))
threads = 4
# Connections waiting for a worker; the kernel caps it at net.core.somaxconn.
backlog = 2048
# A worker silent this long is restarted; on shutdown, requests in flight get this long to end.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound (jitter spreads them).
max_requests = 5000
max_requests_jitter = 500
# No control socket: it lives at one path per user, so two servers on a machine would clash.
control_socket_disable = True
accesslog = "-"
errorlog = "-"

# `dev.py serve --reload` sets reload; templates are not Python modules, so gunicorn is told
# to watch them as well.
if os.environ.get("CPDNET_SERVE_RELOAD") == "1":
    reload = True
    reload_extra_files = [
        str(path) for path in Path(__file__).resolve().parent.rglob("templates/**/*.html")
    ]

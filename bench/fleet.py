"""Proof that cpdnet runs as a fleet: real components in separate processes on 127.0.0.1.

Brings up a PostgreSQL primary and a streaming replica (a second cluster made with
pg_basebackup), Redis, two gunicorn web servers (deploy/gunicorn.conf.py) behind nginx (the
shipped deploy/nginx/cpdnet-proxy.conf), two `cpdnet worker` processes, then prints one
PASS/FAIL line with its figure for each of the seven checks of issue 15, and tears it all down.

    python bench/fleet.py                      # 8.5 min on a busy 2-core machine
    python bench/fleet.py --keep               # keep the data dir and logs

Needs Debian's nginx, redis-server and PostgreSQL 15 (/usr/lib/postgresql/15/bin); run as root
(the clusters then run as the `postgres` user) or as a user that may run them. Ports: nginx
8110, web servers 8111 and 8112, Redis 8118, PostgreSQL 5440 (primary) and 5441 (replica).
Exit status 0 when every check passes.
"""

import argparse
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg
import psycopg.sql

REPO = Path(__file__).resolve().parents[1]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
HOST = "127.0.0.1"
FRESHNESS = "These figures come from the reporting copy of the database"

SETUP = """
import datetime, json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from cpdnet.accounts.models import User
from cpdnet.events.models import Registration
from cpdnet.hubs.models import Hub
from cpdnet.hubs.services import ensure_networks, submit_hub_change_request
from cpdnet.hubs.selectors import resolve_hubs_for_schools
from cpdnet.programmes.models import Offering, Programme
from cpdnet.public.certificates.views import VERIFY_PER_VISITOR
from cpdnet.schools.models import School

network = ensure_networks()["maths"]
hub = Hub.objects.filter(network=network).order_by("pk").first()
programme = Programme.objects.create(
    slug="fleet-webinar", network=network, title="Fleet webinar", phase="all", kind="webinar",
    audience="class_teacher", funding_model="funded", summary="A burst.",
    description="A burst of registrations.",
)
now = timezone.now()

def webinar(name, capacity):
    return Offering.objects.create(
        programme=programme, hub=hub, academic_year=2026, cohort_name=name, capacity=capacity,
        mode="online", planned_sessions=1, local_only=False, requires_school_approval=False,
        starts_on=datetime.date(2027, 1, 15), ends_on=datetime.date(2027, 1, 15),
        applications_open_at=now - datetime.timedelta(days=1),
        applications_close_at=now + datetime.timedelta(days=30),
    ).pk

burst, during_insights, during_restart = (webinar(n, 100) for n in ("Burst", "Insights", "Restart"))
mail_offering = webinar("Mail", 2000)
Registration.objects.bulk_create(
    Registration(offering_id=mail_offering, name=f"Teacher {{n}}",
                 email=f"fleet{{n}}@mail.example.org", job_role="class_teacher", status="confirmed")
    for n in range(1000)
)
mail_ids = list(Registration.objects.filter(offering_id=mail_offering).values_list("pk", flat=True))

admin = User.objects.create_superuser(email="fleet-admin@example.org", password=None)
session = SessionStore()
session[SESSION_KEY] = str(admin.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = admin.get_session_auth_hash()
session.create()

password_user = User.objects.create_user(email="fleet-teacher@example.org", password="{password}")

school = School.objects.filter(status="open").exclude(la_code="").order_by("urn").first()
current = resolve_hubs_for_schools([school])[school.urn].get(network.pk)
others = Hub.objects.filter(network=network).exclude(pk=getattr(current, "pk", None))
other = others.order_by("pk").first()
change = submit_hub_change_request(
    school=school, requested_hub=other, contact_name="Fleet", contact_email="head@example.org",
)
print(json.dumps({{
    "burst": burst, "during_insights": during_insights, "during_restart": during_restart,
    "mail_ids": mail_ids, "session": session.session_key, "change": change.pk,
    "urn": school.urn, "old_hub": getattr(current, "name", ""), "new_hub": other.name,
    "verify_limit": VERIFY_PER_VISITOR,
}}))
"""

ENQUEUE_EMAILS = """
from cpdnet.events.tasks import send_registration_email_task
for registration_id in {ids}:
    send_registration_email_task.enqueue(registration_id, "confirmed")
"""

INSIGHTS_FIGURES = """
import json
from cpdnet.hubs.models import Network
from cpdnet.insights.selectors import iter_reach_rows, reach_by_hub
from cpdnet.backoffice.hub.selectors import current_academic_year
network = Network.objects.get(slug="maths")
reach = reach_by_hub(network, current_academic_year())
print(json.dumps([list(map(str, row)) for row in iter_reach_rows(reach)]))
"""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# HTTP ------------------------------------------------------------------------------------------


def fetch(port, method, path, *, body=None, headers=None, cookies=None, timeout=60):
    """One request on its own connection; (status, headers, text, seconds)."""
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    began = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        return response.status, response.headers, text, time.perf_counter() - began
    finally:
        connection.close()


def set_cookies(headers, cookies: dict) -> None:
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]


def csrf_form(port, path, cookies) -> str:
    status, headers, text, _ = fetch(port, "GET", path, cookies=cookies)
    set_cookies(headers, cookies)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    if status != 200 or not match:
        raise RuntimeError(f"GET {path} on :{port} gave {status} without a form")
    return match.group(1)


def form_body(fields: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(fields, doseq=True)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def registration_burst(port, offering_id, *, size, clients, tag, during=None):
    """`size` registrations from `clients` threads released together; outcomes in order."""
    path = f"/api/v1/events/{offering_id}/registrations"
    bodies = iter(
        json.dumps(
            {
                "name": f"Teacher {n}",
                "email": f"t{n}.{tag}@burst.example.org",
                "role": "class_teacher",
            }
        )
        for n in range(size)
    )
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    outcomes = []

    def client():
        barrier.wait()
        while True:
            with lock:
                body = next(bodies, None)
            if body is None:
                return
            try:
                status, _, text, seconds = fetch(
                    port, "POST", path, body=body, headers={"Content-Type": "application/json"}
                )
                answer = json.loads(text).get("status", "") if status == 201 else text[:120]
            except OSError as error:  # a reset or refused connection
                status, answer, seconds = 0, repr(error), 0.0
            with lock:
                outcomes.append((status, answer, seconds))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    barrier.wait()
    if during is not None:
        during()
    for thread in threads:
        thread.join()
    return outcomes, time.perf_counter() - began


# The fleet -------------------------------------------------------------------------------------


class Fleet:
    def __init__(self, root: Path, args):
        self.root = root
        self.args = args
        self.processes: dict[str, subprocess.Popen] = {}
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.primary_dir = root / "pg-primary"
        self.replica_dir = root / "pg-replica"
        self.var = root / "var"
        self.primary_url = f"postgres://postgres@{HOST}:{args.primary_port}/cpdnet"
        self.replica_url = f"postgres://postgres@{HOST}:{args.replica_port}/cpdnet"
        self.env = dict(os.environ)
        self.env.update(
            DATABASE_URL=self.primary_url,
            DATABASE_REPLICA_URL=self.replica_url,
            CPDNET_CACHE_URL=f"redis://{HOST}:{args.redis_port}/0",
            CPDNET_DEBUG="0",
            CPDNET_SECRET_KEY=secrets.token_urlsafe(60),
            CPDNET_REQUIRE_SECRET_KEY="1",  # noqa: S106 (a switch, not a key)
            CPDNET_SECURE_COOKIES="0",
            CPDNET_ALLOWED_HOSTS="127.0.0.1,localhost",
            CPDNET_TRUSTED_PROXIES=HOST,
            CPDNET_METRICS_ALLOWED_IPS=HOST,
            CPDNET_VAR_DIR=str(self.var),
            CPDNET_STATIC_ROOT=str(self.var / "static"),
            CPDNET_MEDIA_ROOT=str(self.var / "media"),
            CPDNET_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            CPDNET_LOG_LEVEL="WARNING",
            CPDNET_WEB_WORKERS=str(args.web_workers),
            DJANGO_SETTINGS_MODULE="cpdnet.settings",
            PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
            PYTHONPYCACHEPREFIX=str(root / "pycache"),
        )
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    # processes

    def start(self, name, command, env=None, **kwargs):
        log_file = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            command,
            env=env or self.env,
            cwd=REPO,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )
        return self.processes[name]

    def stop(self, name, sig=signal.SIGTERM, timeout=30):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def cpdnet(self, *args, env=None) -> str:
        completed = subprocess.run(
            [sys.executable, "-m", "cpdnet", *args],
            env=env or self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stdout[-3000:] + completed.stderr[-3000:])
            raise RuntimeError(f"cpdnet {args[0]} failed ({completed.returncode})")
        return completed.stdout

    def pg(self, *command, check=True):
        completed = subprocess.run(
            [*self.as_postgres, *map(str, command)],
            cwd="/",
            capture_output=True,
            text=True,
            check=False,
        )
        if check and completed.returncode != 0:
            raise RuntimeError(f"{Path(str(command[0])).name} failed: {completed.stderr[-500:]}")
        return completed

    def postgres_dir(self, path: Path) -> Path:
        path.mkdir(mode=0o700)
        if self.as_postgres:
            shutil.chown(path, "postgres")
        return path

    def sql(self, query, params=None, url=None):
        with psycopg.connect(url or self.primary_url.replace("postgres://", "postgresql://")) as c:
            return c.execute(query, params).fetchall()

    # components

    def start_primary(self):
        self.postgres_dir(self.primary_dir)
        self.pg(PG_BIN / "initdb", "-D", self.primary_dir, "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--no-locale")  # fmt: skip
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.args.primary_port}\nlisten_addresses = '{HOST}'\n"
                f"unix_socket_directories = '{self.primary_dir}'\nwal_level = replica\n"
                "max_wal_senders = 5\nhot_standby = on\nmax_connections = 100\n"
            )
        self.pg_ctl(self.primary_dir, "start")
        self.sql_admin("CREATE DATABASE cpdnet")

    def sql_admin(self, statement):
        url = f"postgresql://postgres@{HOST}:{self.args.primary_port}/postgres"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(statement)

    def pg_ctl(self, data_dir, action, *extra):
        log_path = data_dir.parent / f"{data_dir.name}.log"
        if self.as_postgres and not log_path.exists():
            log_path.touch()
            shutil.chown(log_path, "postgres")
        self.pg(PG_BIN / "pg_ctl", "-D", data_dir, "-l", log_path, "-w", "-t", "60", action,
                *extra)  # fmt: skip

    def start_replica(self):
        began = time.perf_counter()
        self.postgres_dir(self.replica_dir)
        self.pg(PG_BIN / "pg_basebackup", "-h", HOST, "-p", self.args.primary_port, "-U",
                "postgres", "-D", self.replica_dir, "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        with open(self.replica_dir / "postgresql.auto.conf", "a") as conf:
            conf.write(
                f"port = {self.args.replica_port}\nunix_socket_directories = '{self.replica_dir}'\n"
            )
        self.pg_ctl(self.replica_dir, "start")
        for _ in range(100):
            rows = self.sql("SELECT state FROM pg_stat_replication")
            if rows and rows[0][0] == "streaming":
                return time.perf_counter() - began
            time.sleep(0.1)
        raise RuntimeError("the replica did not start streaming")

    def start_redis(self):
        port = str(self.args.redis_port)
        self.start(
            "redis",
            [
                REDIS,
                "--port",
                port,
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],  # fmt: skip
        )
        wait_for_port(self.args.redis_port)

    def start_web(self, name, port):
        env = dict(
            self.env,
            CPDNET_BIND=f"{HOST}:{port}",
            PROMETHEUS_MULTIPROC_DIR=str(self.root / f"prometheus-{name}"),
        )
        self.start(
            name,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                str(REPO / "deploy" / "gunicorn.conf.py"),
                "cpdnet.wsgi:application",
            ],  # fmt: skip
            env=env,
        )

    def start_nginx(self):
        (self.root / "nginx").mkdir()
        upstreams = "\n".join(
            f"        server {HOST}:{port} max_fails=3 fail_timeout=10s;"
            for port in self.args.web_ports
        )
        config = f"""
daemon off;
worker_processes 1;
pid {self.root}/nginx/nginx.pid;
error_log {self.root}/nginx/error.log warn;
{"user root;" if os.geteuid() == 0 else ""}
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    client_body_temp_path {self.root}/nginx/body;
    proxy_temp_path {self.root}/nginx/proxy;
    fastcgi_temp_path {self.root}/nginx/fastcgi;
    uwsgi_temp_path {self.root}/nginx/uwsgi;
    scgi_temp_path {self.root}/nginx/scgi;
    log_format fleet '$request_id $upstream_addr $status $request_method $request_uri';
    access_log {self.root}/nginx/access.log fleet;
    upstream cpdnet_web {{
{upstreams}
        keepalive 16;
    }}
    server {{
        listen {HOST}:{self.args.nginx_port};
        location /static/ {{ alias {self.var}/static/; }}
        include {REPO}/deploy/nginx/cpdnet-proxy.conf;
    }}
}}
"""
        path = self.root / "nginx" / "nginx.conf"
        path.write_text(config)
        check = subprocess.run([NGINX, "-t", "-c", str(path)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(check.stderr)
        self.start("nginx", [NGINX, "-c", str(path)])
        wait_for_port(self.args.nginx_port)

    def start_worker(self, name):
        self.start(
            name,
            [
                sys.executable,
                "-m",
                "cpdnet",
                "worker",
                "--periodic",
                "without",
                "--worker-id",
                name,
                "--interval",
                "0.2",
            ],  # fmt: skip
        )

    def teardown(self):
        for name in list(self.processes):
            self.stop(name)
        for data_dir in (self.replica_dir, self.primary_dir):
            if (data_dir / "postmaster.pid").exists():
                self.pg(PG_BIN / "pg_ctl", "-D", data_dir, "-m", "fast", "stop", check=False)


def wait_for_port(port, timeout=60.0):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def wait_until_ready(port, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if fetch(port, "GET", "/readyz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the web server on {port} is not ready")


# Checks ----------------------------------------------------------------------------------------


def registrations_in_db(fleet, offering_id):
    rows = fleet.sql(
        "SELECT status, count(*) FROM events_registration WHERE offering_id = %s GROUP BY status",
        [offering_id],
    )
    twice = fleet.sql(
        "SELECT count(*) FROM (SELECT lower(email) FROM events_registration WHERE offering_id = %s"
        " GROUP BY lower(email) HAVING count(*) > 1) AS doubles",
        [offering_id],
    )[0][0]
    return dict(rows), twice


def upstream_split(fleet, path_fragment):
    counts = Counter()
    for line in (fleet.root / "nginx" / "access.log").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and path_fragment in parts[4]:
            counts[parts[1]] += 1
    return counts


def check_burst(fleet, data):
    offering = data["burst"]
    outcomes, seconds = registration_burst(
        fleet.args.nginx_port, offering, size=300, clients=30, tag="burst"
    )
    statuses = Counter(status for status, _, _ in outcomes)
    answers = Counter(answer for status, answer, _ in outcomes if status == 201)
    in_db, twice = registrations_in_db(fleet, offering)
    split = upstream_split(fleet, f"/events/{offering}/")
    server_errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    ok = (
        answers == {"confirmed": 100, "waitlisted": 200}
        and in_db == {"confirmed": 100, "waitlisted": 200}
        and twice == 0
        and server_errors == 0
        and len(split) >= 2
    )
    spread = ", ".join(f"{upstream} {n}" for upstream, n in sorted(split.items()))
    return ok, (
        f"300 in {seconds:.2f} s ({300 / seconds:.0f}/s): {answers['confirmed']} confirmed, "
        f"{answers['waitlisted']} waitlisted, answers {dict(statuses)}, 5xx or reset "
        f"{server_errors}; database {in_db}, doubles {twice}; servers: {spread}"
    )


def check_lockout_and_rate_limit(fleet, data):
    a, b = fleet.args.web_ports
    cookies: dict = {}
    token = csrf_form(a, "/sign-in/password/", cookies)
    wrong = {
        "email": "fleet-teacher@example.org",
        "password": "not-the-password",
        "csrfmiddlewaretoken": token,
    }
    for _ in range(5):
        fetch(a, "POST", "/sign-in/password/", body=form_body(wrong), headers=FORM, cookies=cookies)
    right = dict(wrong, password=fleet.args.password)
    status, _, text, _ = fetch(
        b, "POST", "/sign-in/password/", body=form_body(right), headers=FORM, cookies=cookies
    )
    locked_on_b = status == 200 and "too many times" in text
    limit = data["verify_limit"]
    answers = [
        fetch(a if n % 2 == 0 else b, "GET", "/certificates/ABCD-EFGH-JKLM/")[0]
        for n in range(limit + 1)
    ]
    counted_across = 429 not in answers[:limit] and answers[limit] == 429
    return locked_on_b and counted_across, (
        f"5 wrong passwords on :{a}, then the right one on :{b}: "
        f"{'refused (locked)' if locked_on_b else f'NOT locked ({status})'}; certificate checks "
        f"alternating :{a}/:{b}: {limit} answered, request {limit + 1} got {answers[limit]}"
    )


def check_hub_change(fleet, data):
    a, b = fleet.args.web_ports
    school = f"/find-your-hub/schools/{data['urn']}/"
    before = fetch(b, "GET", school)[2]
    cookies = {"sessionid": data["session"]}
    token = csrf_form(a, "/admin/hubs/hubchangerequest/", cookies)
    body = form_body(
        {
            "action": "approve",
            "_selected_action": data["change"],
            "index": 0,
            "select_across": 0,
            "csrfmiddlewaretoken": token,
        }  # fmt: skip
    )
    status, _, _, _ = fetch(a, "POST", "/admin/hubs/hubchangerequest/", body=body, headers=FORM,
                           cookies=cookies)  # fmt: skip
    changed_at = time.perf_counter()
    # Visible: a request to the other server, started after the change, shows the new hub.
    seen_after = answered_in = None
    new_hub = html.escape(data["new_hub"])
    while time.perf_counter() - changed_at < 5:
        asked_at = time.perf_counter()
        page = fetch(b, "GET", school)
        if page[2].count(new_hub) > before.count(new_hub):
            seen_after, answered_in = asked_at - changed_at, page[3]
            break
    ok = status == 302 and seen_after is not None and seen_after < 1.0
    shown = (
        f"a request started {seen_after * 1000:.0f} ms after the change (answered in "
        f"{answered_in * 1000:.0f} ms)"
        if seen_after is not None
        else "no request within 5 s"
    )
    return ok, (
        f"approved on :{a} (answer {status}); on :{b} {shown} showed {data['new_hub']!r} "
        f"(was {data['old_hub']!r})"
    )


def check_emails(fleet, data):
    ids = data["mail_ids"]
    task = "cpdnet.events.tasks.send_registration_email_task"
    began = time.perf_counter()
    fleet.cpdnet("shell", "-c", ENQUEUE_EMAILS.format(ids=ids))
    enqueued = time.perf_counter() - began

    # Only these 1,000: the bursts' registrations enqueue the same task for their own rows.
    mine = "task_path = %s AND (args_kwargs->'args'->>0)::bigint = ANY(%s)"

    def done():
        return fleet.sql(
            f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {mine} "  # noqa: S608 (a constant)
            "AND status IN ('SUCCESSFUL', 'FAILED')",
            [task, ids],
        )[0][0]

    while done() < 300 and time.perf_counter() - began < 300:
        time.sleep(0.1)
    at_kill = done()
    # Stopped as systemd stops it: SIGTERM, the task in hand is finished first.
    fleet.stop("worker-1", signal.SIGTERM)
    while time.perf_counter() - began < 600:
        left = fleet.sql(
            f"SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE {mine} "  # noqa: S608 (a constant)
            "AND status IN ('READY', 'RUNNING')",
            [task, ids],
        )[0][0]
        if not left:
            break
        time.sleep(0.2)
    drained = time.perf_counter() - began
    statuses = dict(
        fleet.sql(
            f"SELECT status, count(*) FROM django_tasks_database_dbtaskresult WHERE {mine} "  # noqa: S608 (a constant)
            "GROUP BY status",
            [task, ids],
        )
    )
    by_worker = dict(
        fleet.sql(
            f"SELECT worker_ids->>0, count(*) FROM django_tasks_database_dbtaskresult WHERE {mine} "  # noqa: S608 (a constant)
            "GROUP BY 1 ORDER BY 1",
            [task, ids],
        )
    )
    keys = fleet.sql(
        "SELECT count(*), count(DISTINCT key) FROM notifications_sentemail "
        "WHERE key LIKE 'event-registration:%%' AND \"to\" LIKE '%%@mail.example.org'"
    )[0]
    mailed = Counter()
    for path in (fleet.var / "sent-emails").glob("*"):
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith("To: ") and line.endswith("@mail.example.org"):
                mailed[line[4:]] += 1
    doubles = sum(1 for n in mailed.values() if n > 1)
    ok = (
        statuses == {"SUCCESSFUL": 1000}
        and tuple(keys) == (1000, 1000)
        and len(mailed) == 1000
        and doubles == 0
    )
    return ok, (
        f"1000 enqueued in {enqueued:.1f} s, all done {drained:.1f} s after; worker-1 stopped "
        f"(SIGTERM) after {at_kill} done; tasks {statuses}; by worker {by_worker}; "
        f"send records {keys[0]} ({keys[1]} distinct); emails written {sum(mailed.values())} "
        f"to {len(mailed)} addresses, {doubles} twice"
    )


def check_insights_from_replica(fleet, data):
    port = fleet.args.nginx_port
    cookies = {"sessionid": data["session"]}
    page = "/backoffice/insights/?network=maths"
    pages = []

    def read_insights_during_burst():
        for _ in range(3):
            pages.append(fetch(port, "GET", page, cookies=cookies))

    outcomes, seconds = registration_burst(
        port, data["during_insights"], size=300, clients=20, tag="insights",
        during=read_insights_during_burst,
    )  # fmt: skip
    written = sum(1 for status, _, _ in outcomes if status == 201)
    statuses = Counter(status for status, _, _ in outcomes)
    from_replica = [p for p in pages if p[0] == 200 and FRESHNESS in p[2]]
    lag = re.search(r"which was (\d+) seconds? behind|which was up to date", pages[-1][2])
    fleet.pg(PG_BIN / "pg_ctl", "-D", fleet.replica_dir, "-m", "fast", "-w", "stop")
    after = [fetch(port, "GET", page, cookies=cookies) for _ in range(4)]
    from_primary = [p for p in after if p[0] == 200 and FRESHNESS not in p[2]]
    ok = written == 300 and len(from_replica) == 3 and len(from_primary) == 4
    return ok, (
        f"during a burst of 300 registrations ({written} written in {seconds:.1f} s, answers "
        f"{dict(statuses)}): "
        f"{len(from_replica)}/3 insights pages from the replica "
        f"({', '.join(f'{p[3]:.2f} s' for p in pages)}; freshness: "
        f"{lag.group(0) if lag else 'not shown'}); replica stopped: {len(from_primary)}/4 "
        f"answered 200 from the primary ({', '.join(f'{p[3]:.2f} s' for p in after)})"
    )


def check_graceful_restart(fleet, data):
    port = fleet.args.nginx_port
    name = "web-1"
    restarted = {}

    def restart():
        time.sleep(0.3)
        process = fleet.processes[name]
        began = time.perf_counter()
        # `systemctl reload cpdnet-web`: gunicorn starts new workers and lets the old ones
        # finish their requests; the listening socket stays open throughout.
        process.send_signal(signal.SIGHUP)
        restarted["sent"] = began

    outcomes, seconds = registration_burst(
        port, data["during_restart"], size=300, clients=30, tag="restart", during=restart
    )
    statuses = Counter(status for status, _, _ in outcomes)
    answers = Counter(answer for status, answer, _ in outcomes if status == 201)
    in_db, twice = registrations_in_db(fleet, data["during_restart"])
    reloaded = "signal: hup" in (fleet.root / f"{name}.log").read_text(errors="replace").lower()
    ok = (
        statuses == {201: 300}
        and in_db == {"confirmed": 100, "waitlisted": 200}
        and answers == {"confirmed": 100, "waitlisted": 200}
        and twice == 0
        and reloaded
    )
    return ok, (
        f"{name} reloaded (SIGHUP) 0.3 s into a burst of 300 ({seconds:.1f} s): answers "
        f"{dict(statuses)}, {dict(answers)}; database {in_db}, doubles {twice}"
    )


def check_backup_restore(fleet, data):
    # The workers may still be sending the bursts' emails: compare a database at rest.
    waited = time.perf_counter()
    while fleet.sql(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE status IN ('READY', 'RUNNING')"
    )[0][0]:
        if time.perf_counter() - waited > 300:
            raise RuntimeError("the task queue did not drain within 5 minutes")
        time.sleep(0.5)
    dump = fleet.root / "cpdnet.dump"
    primary = ["-h", HOST, "-p", str(fleet.args.primary_port), "-U", "postgres"]
    began = time.perf_counter()
    subprocess.run([PG_BIN / "pg_dump", *primary, "-Fc", "-f", dump, "cpdnet"], check=True)
    dumped = time.perf_counter() - began
    fleet.sql_admin("CREATE DATABASE cpdnet_restored")
    began = time.perf_counter()
    subprocess.run(
        [PG_BIN / "pg_restore", *primary, "-d", "cpdnet_restored", "--no-owner", dump], check=True
    )
    restored = time.perf_counter() - began
    restored_url = f"postgresql://postgres@{HOST}:{fleet.args.primary_port}/cpdnet_restored"
    tables = [
        row[0]
        for row in fleet.sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        )
    ]
    query = psycopg.sql.SQL(" UNION ALL ").join(
        psycopg.sql.SQL("SELECT {}, count(*) FROM {}").format(
            psycopg.sql.Literal(t), psycopg.sql.Identifier(t)
        )
        for t in tables
    )
    counts = dict(fleet.sql(query))
    restored_counts = dict(fleet.sql(query, url=restored_url))
    rows = sum(counts.values())
    env_restored = dict(fleet.env, DATABASE_URL=restored_url, DATABASE_REPLICA_URL="")
    env_primary = dict(fleet.env, DATABASE_REPLICA_URL="")
    figures = fleet.cpdnet("shell", "-c", INSIGHTS_FIGURES, env=env_primary).splitlines()[-1]
    figures_restored = fleet.cpdnet("shell", "-c", INSIGHTS_FIGURES, env=env_restored).splitlines()[
        -1
    ]
    hubs = json.loads(figures)
    differing = [t for t in tables if counts[t] != restored_counts.get(t)]
    ok = not differing and figures == figures_restored and len(hubs) > 1
    engaged = sum(int(row[2]) for row in hubs)
    return ok, (
        f"queue drained, then pg_dump {dump.stat().st_size / 1e6:.1f} MB in {dumped:.1f} s, "
        f"pg_restore in "
        f"{restored:.1f} s; {len(tables)} tables, {rows:,} rows, differing: "
        f"{differing or 'none'}; reach per hub ({len(hubs)} rows, {engaged} schools engaged) "
        f"{'the same' if figures == figures_restored else 'DIFFERENT'}"
    )


CHECKS = [
    ("1 webinar burst through nginx", check_burst),
    ("2 lockout and rate limit across web servers", check_lockout_and_rate_limit),
    ("3 hub area change seen by the other web server", check_hub_change),
    ("4 1,000 emails, two workers, one stopped", check_emails),
    ("5 insights from the replica, then without it", check_insights_from_replica),
    ("6 graceful restart during a burst", check_graceful_restart),
    ("7 backup and restore", check_backup_restore),
]


def bring_up(fleet) -> dict:
    began = time.perf_counter()
    fleet.start_primary()
    fleet.start_redis()
    log("primary and Redis started; migrate, collectstatic, load-demo")
    fleet.cpdnet("migrate", "--noinput")
    fleet.cpdnet("collectstatic", "--noinput")
    fleet.cpdnet("load-demo")
    data = json.loads(
        fleet.cpdnet("shell", "-c", SETUP.format(password=fleet.args.password)).splitlines()[-1]
    )
    log("demo data loaded; the replica by pg_basebackup")
    streaming = fleet.start_replica()
    log(f"replica streaming after {streaming:.1f} s; web servers, nginx, workers")
    for n, port in enumerate(fleet.args.web_ports, start=1):
        fleet.start_web(f"web-{n}", port)
    for port in fleet.args.web_ports:
        wait_until_ready(port)
    fleet.start_nginx()
    wait_until_ready(fleet.args.nginx_port)
    for n in (1, 2):
        fleet.start_worker(f"worker-{n}")
    log(f"fleet up in {time.perf_counter() - began:.0f} s")
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the data dir and the logs")
    parser.add_argument("--nginx-port", type=int, default=8110)
    parser.add_argument("--web-ports", type=int, nargs=2, default=[8111, 8112])
    parser.add_argument("--redis-port", type=int, default=8118)
    parser.add_argument("--primary-port", type=int, default=5440)
    parser.add_argument("--replica-port", type=int, default=5441)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per server")
    args = parser.parse_args()
    args.password = secrets.token_urlsafe(16)

    root = Path(tempfile.mkdtemp(prefix="cpdnet-fleet-"))
    root.chmod(0o755)
    fleet = Fleet(root, args)
    results = []
    began = time.perf_counter()
    try:
        data = bring_up(fleet)
        for title, check in CHECKS:
            log(f"check {title}")
            try:
                ok, figure = check(fleet, data)
            except Exception as error:  # a broken check is a FAIL with its reason, not a stop
                ok, figure = False, f"error: {error!r}"
            results.append((ok, title, figure))
            print(f"{'PASS' if ok else 'FAIL'} {title}: {figure}", flush=True)
    finally:
        fleet.teardown()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    passed = sum(ok for ok, _, _ in results)
    print(f"{passed} of {len(CHECKS)} checks passed in {time.perf_counter() - began:.0f} s")
    return 0 if passed == len(CHECKS) else 1


if __name__ == "__main__":
    sys.exit(main())

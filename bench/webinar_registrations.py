"""Benchmark: registrations per second for a popular webinar under a burst, through the API.

Sets up a fresh database in a throwaway data dir (migrate, then one hub and webinars of 50
places made in `cpdnet shell`), serves it with gunicorn (2 sync workers, bench.bench_settings,
CPDNET_DEBUG=0, the database task queue as in production) on a free port of 127.0.0.1, then
fires bursts of 200 `POST /api/v1/events/{id}/registrations`, each at a new webinar, from 20
client threads released together. It prints registrations per second (200 / the burst's wall
time), p50/p99 latency, and checks every burst: every answer 201, exactly 50 `confirmed` and
150 `waitlisted`, and in the database 200 rows, no email twice.

    .venv/bin/python bench/webinar_registrations.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cpdnet_bench \
        .venv/bin/python bench/webinar_registrations.py

It prints figures; it is not a test. Exit status 0 when every burst is correct and the mean
rate meets the target (>= 50 registrations/s: 3,000 a minute, the "thousands registering in
minutes" of a popular webinar), 1 otherwise.

With `--quick-start` it measures what a new user runs instead: `python3 dev.py serve --port P`
in a throwaway data dir (demo data, gunicorn as the quick start configures it), then one burst
of `--size` (200) registrations to a demo webinar, every one sent at the same instant from its
own connection, one in ten repeating an earlier email. It passes when every request gets an
answer (no reset, no timeout), each 201 or 409 (`already_registered` for the repeats) in exactly
those numbers, and the database holds one row per distinct email.

    .venv/bin/python bench/webinar_registrations.py --quick-start
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    HOST,
    REPO,
    bench_env,
    database_label,
    free_port,
    fresh_database,
    get,
    make_var_dir,
    migrate,
    remove_var_dir,
    run_cpdnet,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)

TARGET_RPS = 50.0

MAKE_WEBINARS = """
import datetime
from django.utils import timezone
from cpdnet.hubs.models import Hub
from cpdnet.hubs.services import ensure_networks
from cpdnet.programmes.models import Offering, Programme
network = ensure_networks()["maths"]
hub, _ = Hub.objects.get_or_create(
    slug="bench-hub", defaults={{"network": network, "name": "Bench Maths Hub", "region": "London"}}
)
programme, _ = Programme.objects.get_or_create(
    slug="bench-webinar",
    defaults={{
        "network": network, "title": "Bench webinar", "phase": "all", "kind": "webinar",
        "audience": "class_teacher", "funding_model": "funded", "summary": "A burst.",
        "description": "A burst of registrations.",
    }},
)
now = timezone.now()
ids = [
    Offering.objects.create(
        programme=programme, hub=hub, academic_year=2026, cohort_name=f"Burst {{n}}",
        capacity={capacity}, mode="online", planned_sessions=1, local_only=False,
        requires_school_approval=False, starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2027, 1, 15), applications_open_at=now - datetime.timedelta(days=1),
        applications_close_at=now + datetime.timedelta(days=30),
    ).pk
    for n in range({count})
]
print(" ".join(map(str, ids)))
"""

CHECK_WEBINARS = """
from django.db.models import Count
from django.db.models.functions import Lower
from cpdnet.events.models import Registration
ids = [{ids}]
for offering_id in ids:
    rows = Registration.objects.filter(offering_id=offering_id)
    statuses = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    twice = rows.annotate(e=Lower("email")).values("e").annotate(n=Count("pk")).filter(n__gt=1)
    print(offering_id, rows.count(), statuses.get("confirmed", 0), statuses.get("waitlisted", 0),
          twice.count())
"""


def post(port: int, path: str, body: dict) -> tuple[int, dict, float]:
    began = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(
            "POST", path, json.dumps(body), headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = {"raw": payload[:200].decode(errors="replace")}
    return response.status, answer, time.perf_counter() - began


def burst(port: int, offering_id: int, *, size: int, clients: int, round_number: int) -> dict:
    """Send `size` registrations from `clients` threads released together; time the burst."""
    path = f"/api/v1/events/{offering_id}/registrations"
    bodies = [
        {
            "name": f"Teacher {n}",
            "email": f"teacher{n}.round{round_number}@burst.example.org",
            "role": "class_teacher",
        }
        for n in range(size)
    ]
    barrier = threading.Barrier(clients + 1)
    queue = iter(bodies)
    lock = threading.Lock()
    results: list[tuple[int, dict, float]] = []

    def client() -> None:
        barrier.wait()
        while True:
            with lock:
                body = next(queue, None)
            if body is None:
                return
            outcome = post(port, path, body)
            with lock:
                results.append(outcome)

    with ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client) for _ in range(clients)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - started
    latencies = sorted(seconds * 1000 for _, _, seconds in results)
    return {
        "elapsed": elapsed,
        "rps": len(results) / elapsed,
        "codes": Counter(status for status, _, _ in results),
        "answers": Counter(answer.get("status", str(answer)[:80]) for _, answer, _ in results),
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def quick_start_burst(port: int, offering_id: int, *, size: int) -> list[tuple[int, dict, float]]:
    """Send `size` registrations at one instant, each on its own connection; one in ten
    repeats an earlier email in capitals."""
    path = f"/api/v1/events/{offering_id}/registrations"
    distinct = size - size // 10
    emails = [f"teacher{n}@quickstart.example.org" for n in range(distinct)]
    emails += [email.upper() for email in emails[: size - distinct]]
    barrier = threading.Barrier(size)
    results: list = [None] * size

    def client(number: int) -> None:
        body = {"name": f"Teacher {number}", "email": emails[number], "role": "class_teacher"}
        barrier.wait()
        try:
            results[number] = post(port, path, body)
        except OSError as error:  # a reset or refused connection is what must not happen
            results[number] = (type(error).__name__, {}, 0.0)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(size)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def quick_start_main(args: argparse.Namespace) -> int:
    """One burst against the portal exactly as `python3 dev.py serve` serves it."""
    var_dir = make_var_dir("cpdnet-bench-quickstart-")
    port = free_port()
    # This checkout's code, whichever checkout the virtual environment was installed from.
    code_path = os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, CPDNET_VAR_DIR=str(var_dir), PYTHONPATH=code_path)
    fresh_database()  # PostgreSQL when DATABASE_URL is set; SQLite in the data dir otherwise
    log_path = var_dir / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in finally
    command = [sys.executable, str(REPO / "dev.py"), "serve", "--port", str(port)]
    print(f"database: {database_label(var_dir)}")
    print(f"server: {' '.join(command)} (data dir {var_dir})")
    server = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server.log = log
    try:
        started = time.perf_counter()
        webinar = None
        while webinar is None:
            if server.poll() is not None:
                raise SystemExit(f"dev.py serve exited:\n{log_path.read_text()[-3000:]}")
            if time.perf_counter() - started > 900:
                raise SystemExit(f"dev.py serve did not answer:\n{log_path.read_text()[-3000:]}")
            try:
                status, body = get(port, "/api/v1/offerings?kind=webinar&open=true&page_size=100")
            except OSError:
                time.sleep(1)
                continue
            items = json.loads(body)["items"] if status == 200 else []
            webinar = next((item for item in items if item["places_left"] >= args.size), None)
            if status == 200 and webinar is None:
                raise SystemExit(f"no demo webinar has {args.size} places left")
        print(f"ready after {time.perf_counter() - started:.0f} s (migrate, load-demo, ...)")
        print(f"webinar {webinar['id']}: {webinar['places_left']} places left")
        check_env = dict(env, CPDNET_DEBUG="1")
        check = CHECK_WEBINARS.format(ids=webinar["id"])
        before = int(run_cpdnet(["shell", "-v", "0", "-c", check], check_env).split()[1])
        began = time.perf_counter()
        results = quick_start_burst(port, webinar["id"], size=args.size)
        elapsed = time.perf_counter() - began
        after = run_cpdnet(["shell", "-v", "0", "-c", check], check_env).split()
    finally:
        stop_gunicorn(server)
        remove_var_dir(var_dir, args.keep)

    codes = Counter(status for status, _, _ in results)
    answers = Counter(answer.get("status") or answer.get("code") for _, answer, _ in results)
    repeats = args.size // 10
    rows, twice = int(after[1]) - before, int(after[4])
    latencies = sorted(seconds * 1000 for status, _, seconds in results if status in {201, 409})
    print(
        f"burst of {args.size} at once: {elapsed:.2f} s, HTTP {dict(codes)}, answers "
        f"{dict(answers)}, p50 {statistics.median(latencies):.0f} ms, max {latencies[-1]:.0f} ms"
    )
    print(f"rows added {rows} (expected {args.size - repeats}), emails twice {twice}")
    passed = codes == {201: args.size - repeats, 409: repeats} and rows == args.size - repeats
    passed &= twice == 0 and answers.get("already_registered") == repeats
    print(f"every registration answered, 201 or 409, none lost: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="bursts, each at a new webinar")
    parser.add_argument("--size", type=int, default=200, help="registrations per burst")
    parser.add_argument("--capacity", type=int, default=50, help="places per webinar")
    parser.add_argument("--clients", type=int, default=20, help="client threads per burst")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data dir")
    parser.add_argument(
        "--quick-start", action="store_true", help="one burst against `python3 dev.py serve`"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if args.quick_start:
        return quick_start_main(args)

    var_dir = make_var_dir("cpdnet-bench-webinar-")
    (var_dir / "static").mkdir()
    env = bench_env(var_dir, CPDNET_ALLOWED_HOSTS=HOST)
    env.pop("CPDNET_TASKS_BACKEND", None)  # emails queue in the database, as in production
    server = None
    print(f"database: {database_label(var_dir)}")
    print(f"data dir: {var_dir}")
    bursts = []
    try:
        fresh_database()
        started = time.perf_counter()
        migrate(env)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
        script = MAKE_WEBINARS.format(capacity=args.capacity, count=args.rounds + 1)
        output = run_cpdnet(["shell", "-v", "0", "-c", script], env)
        offering_ids = [int(value) for value in output.strip().splitlines()[-1].split()]
        print(f"webinars: {len(offering_ids)} of {args.capacity} places (one for warm-up)")

        port = free_port()
        server_env = dict(env, DJANGO_SETTINGS_MODULE="bench.bench_settings")
        log_path = var_dir / "gunicorn.log"
        server = start_gunicorn(server_env, port, args.workers, log_path)
        wait_until_ready(server, port, log_path)
        warm = burst(port, offering_ids[0], size=20, clients=4, round_number=0)
        print(f"warm-up: 20 registrations, answers {dict(warm['answers'])}")
        print(
            f"load: {args.rounds} bursts of {args.size} registrations from {args.clients} "
            f"client threads released together, gunicorn {args.workers} sync workers"
        )
        for number, offering_id in enumerate(offering_ids[1:], start=1):
            figures = burst(
                port, offering_id, size=args.size, clients=args.clients, round_number=number
            )
            bursts.append((offering_id, figures))
            print(
                f"burst {number}: {figures['rps']:7.1f} registrations/s  "
                f"{figures['elapsed']:.2f} s  p50 {figures['p50_ms']:.0f} ms  "
                f"p99 {figures['p99_ms']:.0f} ms  HTTP {dict(figures['codes'])}  "
                f"answers {dict(figures['answers'])}"
            )
        if server.poll() is not None:
            raise SystemExit(f"gunicorn died during the run:\n{log_path.read_text()}")
        ids = ", ".join(str(offering_id) for offering_id, _ in bursts)
        stored = run_cpdnet(["shell", "-v", "0", "-c", CHECK_WEBINARS.format(ids=ids)], env)
    finally:
        stop_gunicorn(server)
        remove_var_dir(var_dir, args.keep)

    waitlisted = args.size - args.capacity
    expected_answers = {"confirmed": args.capacity, "waitlisted": waitlisted}
    correct = all(
        figures["codes"] == {201: args.size} and figures["answers"] == expected_answers
        for _, figures in bursts
    )
    print("database after the bursts (offering, rows, confirmed, waitlisted, emails twice):")
    for line in stored.strip().splitlines():
        print(f"  {line}")
        _, rows, confirmed, waiting, twice = map(int, line.split())
        correct &= (rows, confirmed, waiting, twice) == (args.size, args.capacity, waitlisted, 0)
    mean = statistics.mean(figures["rps"] for _, figures in bursts)
    passed = correct and mean >= TARGET_RPS
    print()
    print(f"registrations per second: {mean:.1f} (mean of {len(bursts)} bursts of {args.size})")
    print(
        f"every burst exactly {args.capacity} confirmed, {waitlisted} waitlisted, no error, "
        f"no duplicate: {'yes' if correct else 'NO'}"
    )
    print(f"target >= {TARGET_RPS:.0f} registrations/s and correct: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

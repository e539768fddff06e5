"""``make bench``: seed a large case into PostgreSQL, serve it with gunicorn, measure, write BENCHMARKS.md.

One run, in order:

1. Drop and recreate the database of ``BENCH_DATABASE_URL`` (default
   ``postgres://postgres@127.0.0.1:5432/bench``; its name must start with
   ``bench``), migrate it.
2. Seed through the package loader: a small reference case (4 bids, 5
   questions, 3 evaluators) and 4 small evaluations, then count each page's
   queries at that size; then the rest of a 500-evaluation portfolio and the
   large case (50 bids, 59 questions plus price, 15 evaluators, 44,250
   scores, all submitted), whose load is timed (aim: under 2 s), and count
   the queries again. The 498 small evaluations hold 10,000 assignments not
   submitted with scoring due tomorrow: the reminder sweep is timed over
   them (aim: under 10 s), mail to the dummy backend, deliveries eager.
3. Serve the app with gunicorn (2 workers, plain HTTP) on a free port of
   127.0.0.1, log in as an executive through the login form, and for each
   page warm up, then send 200 requests at concurrency 4: latency median and
   p95, throughput, and the median as a ratio to the floor's (``/healthz``
   with the same session cookie, one query of its own; aim: 3× at most).
4. Profile (cProfile, in-process) every page that misses its aim, and write
   ``BENCHMARKS.md``.

gunicorn is stopped at the end whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.env import HOST, ROOT, apply, bench_env, database_url
from bench.loadgen import Result, hammer, login

PAGE_AIM = 3.0  # × the floor's median
IMPORT_AIM = 2.0  # seconds
SWEEP_AIM = 10.0  # seconds
PORTFOLIO_SIZE = 500
SWEEP_ASSIGNMENTS = 10_000
LARGE = {"bids": 50, "questions": 59, "evaluators": 15}
SMALL = {"bids": 4, "questions": 5, "evaluators": 3}
EVALUATOR_POOL = 200  # people who score the small evaluations, 20 or 21 of them each


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- The database --------------------------------------------------------------------------------


def reset_database(url: str) -> str:
    """Drop and recreate the benchmark's database; refuses any database not named bench…."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.startswith("bench"):
        raise SystemExit(f"BENCH_DATABASE_URL names the database {name!r}: the benchmark only drops bench…")
    maintenance = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return name


# --- gunicorn ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn in its own process group, stopped (the whole group) on leaving, whatever happened."""

    def __init__(self, env: dict[str, str], workers: int, log_path: Path) -> None:
        self.env, self.workers, self.log_path = env, workers, log_path
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        self.log_file = self.log_path.open("w")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "evaluator.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()  # __exit__ does not run when __enter__ fails
            raise
        return self

    def _wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: see {self.log_path}")
            result = hammer(HOST, self.port, "/healthz", cookie="", requests=1, concurrency=1)
            if result.count == 1:
                return
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s: see {self.log_path}")

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)  # the group we started: master and its workers
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log_file.close()


# --- Pages ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    """The queries of one request: as served (from the page cache, for the pages it holds) and drawn."""

    served: int
    drawn: int

    def __str__(self) -> str:
        return str(self.served) if self.served == self.drawn else f"{self.served} (drawn {self.drawn})"


@dataclass
class Page:
    name: str
    path_large: str
    path_small: str
    logged_in: bool = True  # sends the executive's session cookie
    result: Result | None = None
    queries_small: Queries | None = None
    queries_large: Queries | None = None
    drawn: Result | None = None  # measured with the page cache off (the pages it holds)
    profile: str = ""

    def ratio(self, floor: Page) -> float:
        return self.result.median_ms / floor.result.median_ms


def page_paths(evaluation, bid_ids: list[int]) -> dict[str, str]:
    base = f"/evaluations/{evaluation.pk}"
    return {
        "floor": "/healthz",
        "dashboard": f"{base}/",
        "side by side (4 bids)": f"{base}/compare/?" + "&".join(f"bid={pk}" for pk in bid_ids[:4]),
        "ranking.csv": f"{base}/ranking.csv",
        "ranking.json": f"{base}/ranking.json",
        "portfolio": "/",
    }


def serve_and_measure(
    env: dict[str, str], args: Any, log_path: Path, username: str, password: str, pages: list[Page], into: str
) -> list[float]:
    """Serve the app with gunicorn (``env``), log in as ``username``, warm ``pages`` up and measure them,
    the result of each in its attribute ``into``; returns the floor's (``pages[0]``) median in each round."""
    from django.db import connections

    connections.close_all()
    floor_medians: list[float] = []  # how steady the machine was
    server = Gunicorn(env, args.workers, log_path)
    try:
        with server:
            log(f"gunicorn up on {HOST}:{server.port} with {args.workers} workers ({into})")
            cookie = login(HOST, server.port, username, password)
            sent = {page.name: cookie if page.logged_in else "" for page in pages}
            for page in pages:
                warm = hammer(
                    HOST, server.port, page.path_large, cookie=sent[page.name], requests=args.warmup, concurrency=4
                )
                if warm.errors:
                    raise RuntimeError(f"{page.path_large}: {warm.errors[:3]}")
                setattr(page, into, Result(page.path_large))
            # In rounds, every page a slice of its requests per round: a machine that slows down
            # or speeds up during the run moves every page alike, and the ratios hold.
            rounds = max(1, min(args.rounds, args.requests))
            for number in range(rounds):
                for page in pages:
                    share = args.requests // rounds + (1 if number < args.requests % rounds else 0)
                    batch = hammer(
                        HOST,
                        server.port,
                        page.path_large,
                        cookie=sent[page.name],
                        requests=share,
                        concurrency=args.concurrency,
                    )
                    if batch.errors:
                        raise RuntimeError(f"{page.path_large}: {len(batch.errors)} errors, e.g. {batch.errors[:3]}")
                    getattr(page, into).merge(batch)
                    if page is pages[0]:
                        floor_medians.append(batch.median_ms)
            for page in pages:
                result = getattr(page, into)
                log(
                    f"{page.name:<30} median {result.median_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms  "
                    f"{result.per_second:6.1f} req/s  ({into})"
                )
    except BaseException:
        log_text = log_path.read_text() if log_path.exists() else ""
        if log_text:
            print("gunicorn's log:\n" + log_text[-4000:], file=sys.stderr)
        raise
    return floor_medians


def count_all(pages: list[Page], username: str, attribute: str, path_attribute: str) -> None:
    from django.test import Client

    from bench.profile import client_for, count_queries

    client, anonymous = client_for(username), Client(SERVER_NAME=HOST)
    for page in pages:
        counts = []
        for page_cache in (True, False):
            counted = count_queries(
                client if page.logged_in else anonymous, getattr(page, path_attribute), page_cache=page_cache
            )
            if counted.status != 200:
                raise RuntimeError(f"{getattr(page, path_attribute)} answered {counted.status} in-process")
            counts.append(counted.count)
        setattr(page, attribute, Queries(*counts))


# --- The run -------------------------------------------------------------------------------------


@dataclass
class Timings:
    migrate: float = 0.0
    seed_small: float = 0.0
    large_parse: float = 0.0
    large_write: float = 0.0
    sweep: float = 0.0
    sweep_recorded: int = 0
    sweep_sent: int = 0
    sweep_already: int = 0
    sweep_skipped: int = 0
    pending_assignments: int = 0
    facts: dict[str, int] = field(default_factory=dict)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Seed the large case, serve it, measure it, write BENCHMARKS.md.")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="requests per page before measuring")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=8, help="the requests of every page are spread over rounds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--output", default=str(ROOT / "BENCHMARKS.md"))
    args = parser.parse_args(argv)

    # SIGTERM (a killed make) leaves through the finally blocks, so gunicorn is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    warnings.filterwarnings("ignore", message="No directory at")
    started = time.perf_counter()
    password = secrets.token_urlsafe(16)
    env = bench_env()
    apply(env)
    timings = Timings()

    name = reset_database(database_url())
    log(f"database {name!r} dropped and created")

    import django

    django.setup()
    from django.core.management import call_command

    from bench import seed

    t = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings.migrate = time.perf_counter() - t
    log(f"migrated in {timings.migrate:.1f} s")

    today = _today()
    people = seed.people(password)
    pool = [f"evaluator{n:03d}" for n in range(1, EVALUATOR_POOL + 1)]
    vendors = [f"Regional MSP {n:02d}" for n in range(1, 41)]
    small_count = PORTFOLIO_SIZE - 2  # plus the reference case and the large case
    pending = seed.pending_counts(small_count, SWEEP_ASSIGNMENTS)

    def load_small(index: int) -> None:
        seed.load(
            seed.small_package(
                index=index,
                vendors=(vendors[(2 * index) % len(vendors)], vendors[(2 * index + 1) % len(vendors)]),
                evaluators=seed.pool_slice(pool, 20 * index, pending[index]),
                today=today,
            ),
            people.owner,
        )

    # The small size: the reference case in a portfolio of five.
    t = time.perf_counter()
    reference = seed.load(
        seed.case_package(
            title="Reference case (small)",
            prefix="Small Case MSP",
            bids=SMALL["bids"],
            questions=SMALL["questions"],
            evaluators=[f"referee{n}" for n in range(1, SMALL["evaluators"] + 1)],
            today=today,
            checked_by=people.owner.username,
        ),
        people.owner,
    ).evaluation
    for index in range(4):
        load_small(index)
    small_paths = page_paths(reference, _bid_ids(reference))
    pages = [Page(name=key, path_large="", path_small=path) for key, path in small_paths.items()]
    # The floor is the health check with the executive's session cookie: every measured page is
    # logged in, so the floor goes through the same session and user lookups, then runs its one query.
    # Not aims: the health check as a load balancer calls it (no session), and the least a logged-in
    # HTML page costs (the layout: navbar, roles, unread count).
    extras = [
        Page(name="health check without a session", path_large="/healthz", path_small="/healthz", logged_in=False),
        Page(name="smallest logged-in page", path_large="/accounts/password/", path_small="/accounts/password/"),
    ]
    pages_and_extras = [*pages, *extras]
    count_all(pages_and_extras, people.executive.username, "queries_small", "path_small")
    log("queries counted at the small size: " + ", ".join(f"{p.name} {p.queries_small}" for p in pages))

    for index in range(4, small_count):
        load_small(index)
        if index % 100 == 0:
            log(f"  {index} small evaluations loaded")
    timings.seed_small = time.perf_counter() - t
    log(f"{small_count + 1} small evaluations loaded in {timings.seed_small:.1f} s")

    # The large case, timed: its load is the import the issue aims at. Timed on a database at rest,
    # not under the vacuum and checkpoint the seeding just set off.
    settle()
    data = seed.case_package(
        title="Managed IT services for the whole group (large case)",
        prefix="Large Case MSP",
        bids=LARGE["bids"],
        questions=LARGE["questions"],
        evaluators=[f"panel{n:02d}" for n in range(1, LARGE["evaluators"] + 1)],
        today=today,
        checked_by=people.owner.username,
    )
    loaded = seed.load(data, people.owner)
    large = loaded.evaluation
    timings.large_parse, timings.large_write = loaded.parse_seconds, loaded.write_seconds
    log(f"large case loaded in {loaded.seconds:.2f} s (parse {loaded.parse_seconds:.2f} s)")
    timings.facts = _facts(large)
    log("data: " + ", ".join(f"{k} {v:,}" for k, v in timings.facts.items()))

    for page, path in zip(pages, page_paths(large, _bid_ids(large)).values(), strict=True):
        page.path_large = path
    count_all(pages_and_extras, people.executive.username, "queries_large", "path_large")
    log("queries counted at the large size: " + ", ".join(f"{p.name} {p.queries_large}" for p in pages))

    settle()
    _sweep(timings, today)
    log(
        f"sweep over {timings.pending_assignments:,} assignments: {timings.sweep:.1f} s, "
        f"{timings.sweep_recorded:,} recorded, {timings.sweep_sent:,} emailed"
    )

    from django.db import connections

    connections.close_all()
    with tempfile.TemporaryDirectory(prefix="msp-bench-") as folder:
        floor_medians = serve_and_measure(
            env, args, Path(folder) / "gunicorn.log", people.executive.username, password, pages_and_extras, "result"
        )
        # The pages the page cache holds, drawn every time: a first view, or any view after a change.
        drawn = [pages[0], *(p for p in pages[1:] if p.queries_large.served != p.queries_large.drawn)]
        serve_and_measure(
            {**env, "PAGE_CACHE_SECONDS": "0"},
            argparse.Namespace(**{**vars(args), "requests": args.requests // 2, "rounds": max(1, args.rounds // 2)}),
            Path(folder) / "gunicorn-drawn.log",
            people.executive.username,
            password,
            drawn,
            "drawn",
        )

    floor = pages[0]
    from bench.profile import client_for, profile

    client = None
    for page in pages[1:]:
        if page.ratio(floor) > PAGE_AIM or page.queries_large != page.queries_small:
            client = client or client_for(people.executive.username)
            page.profile = profile(client, page.path_large, requests=10)
            log(f"profiled {page.name}")

    output = Path(args.output)
    output.write_text(
        report(pages, extras, floor_medians, timings, args, time.perf_counter() - started, large, reference)
    )
    log(f"wrote {output} in {time.perf_counter() - started:.0f} s in all")
    return 0


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _bid_ids(evaluation) -> list[int]:
    from scoring.models import Bid

    return list(Bid.objects.filter(evaluation=evaluation).order_by("position").values_list("pk", flat=True))


def _facts(large) -> dict[str, int]:
    from scoring.models import Assignment, Bid, Criterion, Evaluation, Score

    return {
        "evaluations": Evaluation.objects.count(),
        "large case bids": Bid.objects.filter(evaluation=large).count(),
        "large case criteria": Criterion.objects.filter(evaluation=large).count(),
        "large case evaluators": Assignment.objects.filter(evaluation=large, submitted_at__isnull=False).count(),
        "large case scores": Score.objects.filter(bid__evaluation=large).count(),
        "bids in all": Bid.objects.count(),
        "assignments in all": Assignment.objects.count(),
    }


def settle() -> None:
    """Bring the database to rest after bulk writes: statistics up to date, dirty pages written."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        try:
            cursor.execute("CHECKPOINT")  # a superuser's (postgres, the default) or pg_checkpoint's
        except DatabaseError:
            log("CHECKPOINT not allowed for this database user: skipped")
    log("database settled (VACUUM ANALYZE, CHECKPOINT)")


def _sweep(timings: Timings, today: dt.date) -> None:
    from notifications import reminders
    from notifications.models import Delivery, Reminder
    from scoring.models import Assignment, Status

    timings.pending_assignments = Assignment.objects.filter(
        evaluation__status=Status.SCORING,
        evaluation__scoring_due=today + dt.timedelta(days=1),
        submitted_at__isnull=True,
    ).count()
    if timings.pending_assignments != SWEEP_ASSIGNMENTS:
        raise RuntimeError(f"{timings.pending_assignments} assignments due tomorrow, not {SWEEP_ASSIGNMENTS}")
    t = time.perf_counter()
    result = reminders.sweep(today)
    timings.sweep = time.perf_counter() - t
    timings.sweep_recorded = len(result.recorded)
    timings.sweep_already = result.already
    timings.sweep_skipped = len(result.skipped)
    timings.sweep_sent = Reminder.objects.filter(delivery=Delivery.SENT).count()
    if result.failed_rules:
        raise RuntimeError(f"reminder rules failed: {result.failed_rules}")


# --- The report ----------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    from django.db import connection

    cpu_models = [
        line.split(":", 1)[1].strip()
        for line in Path("/proc/cpuinfo").read_text().splitlines()
        if line.startswith("model name")
    ]
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    import django
    import gunicorn

    return {
        "CPU": f"{cpu_models[0] if cpu_models else platform.processor()} × {len(cpu_models) or os.cpu_count()}",
        "RAM": f"{memory_kb / 1024 / 1024:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "PostgreSQL": postgres,
        "Django": django.get_version(),
        "gunicorn": gunicorn.__version__,
    }


def _git_commit() -> str:
    try:
        return subprocess.run(  # noqa: S603
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _page_verdict(page: Page, floor: Page) -> str:
    problems = []
    ratio = page.ratio(floor)
    if ratio > PAGE_AIM:
        problems.append(f"{ratio:.1f}× the floor (aim ≤ {PAGE_AIM:.0f}×)")
    if page.queries_large != page.queries_small:
        problems.append(f"queries grow with the data ({page.queries_small} → {page.queries_large})")
    if problems:
        return "❌ misses: " + "; ".join(problems)
    return f"✅ meets: {ratio:.1f}× the floor, queries flat"


def report(
    pages: list[Page],
    extras: list[Page],
    floor_medians: list[float],
    timings: Timings,
    args: Any,
    seconds: float,
    large: Any,
    reference: Any,
) -> str:
    floor = pages[0]
    now = dt.datetime.now(dt.UTC).astimezone()
    out: list[str] = []
    w = out.append
    w("# Benchmarks\n")
    w(
        "Written by `make bench` (`bench/run.py`); every run replaces this file. Numbers are from one run on the "
        "machine below; the ratios to the floor are what to compare between machines.\n"
    )
    w(f"- Date: {now:%Y-%m-%d %H:%M %Z} (commit `{_git_commit()}`, the working tree as it was)")
    for key, value in machine().items():
        w(f"- {key}: {value}")
    w(
        f"- Served by gunicorn, {args.workers} sync workers, plain HTTP on 127.0.0.1, `DEBUG=false`, "
        "`CONN_MAX_AGE=60`; the load generator (`bench/loadgen.py`, threads and `http.client`) runs on the same "
        "machine."
    )
    w(
        f"- Each page: {args.warmup} warm-up requests, then {args.requests} measured at concurrency "
        f"{args.concurrency}, in {args.rounds} rounds in which every page takes its turn (so a machine that "
        "slows down during the run slows every page alike), logged in as an executive (session cookie from the "
        "login form). Latency is from sending the request to having read the whole response, queueing for a "
        "worker included; req/s is requests over the time spent on that page.\n"
    )

    total = timings.large_parse + timings.large_write
    met_pages = [p.name for p in pages[1:] if p.ratio(floor) <= PAGE_AIM]
    flat = all(p.queries_small == p.queries_large for p in pages)
    w("## Summary\n")
    w(
        f"- Pages within {PAGE_AIM:.0f}× the floor: {len(met_pages)} of {len(pages) - 1}"
        + (f" ({', '.join(met_pages)})" if met_pages else "")
    )
    w(f"- Query counts flat from the small size to the large one: {'yes, on every page' if flat else 'no'}")
    w(f"- Import of the large case under {IMPORT_AIM:.0f} s: {'yes' if total < IMPORT_AIM else 'no'} ({total:.2f} s)")
    w(
        f"- Reminder sweep under {SWEEP_AIM:.0f} s: {'yes' if timings.sweep < SWEEP_AIM else 'no'} ({timings.sweep:.1f} s)\n"
    )

    w("## The data\n")
    w(
        f"A portfolio of {timings.facts['evaluations']:,} evaluations, all loaded as `msp-eval/1` packages through "
        "`loading.evaluation_load`:\n"
    )
    w(
        f"- the **large case** (#{large.pk}): {timings.facts['large case bids']} bids (every 4th co-managed; one "
        f"in twelve disqualified by a red flag, others with a waived or a manual flag or an unmet requirement), "
        f"{timings.facts['large case criteria']} criteria (59 questions with rubrics, and price), "
        f"{timings.facts['large case evaluators']} evaluators who all submitted, "
        f"**{timings.facts['large case scores']:,} scores**, a document, an evidence file and a reference check per "
        "bid;"
    )
    w(
        f"- the **reference case** (#{reference.pk}), the same shape at a small size ({SMALL['bids']} bids, "
        f"{SMALL['questions']} questions and price, {SMALL['evaluators']} evaluators): the small size of the query "
        "counts, taken when the portfolio held 5 evaluations;"
    )
    w(
        f"- {PORTFOLIO_SIZE - 2} small evaluations (2 bids, 2 questions and price) in scoring, due tomorrow, with "
        f"{SWEEP_ASSIGNMENTS:,} assignments not submitted in all ({EVALUATOR_POOL} evaluators, 20 or 21 per "
        f"evaluation): the reminder sweep's work. {timings.facts['bids in all']:,} bids and "
        f"{timings.facts['assignments in all']:,} assignments in all.\n"
    )
    w(
        "The pages are requested on the large case (and the portfolio of 500, which lists 25 a page; the "
        "large case is on its first page).\n"
    )

    w("## Pages\n")
    w(
        "The floor is `/healthz` requested as the executive, with the same session cookie as every measured "
        "page: the same app, middleware and server, answering `ok` after its one query (`SELECT 1`), with no "
        "template. Every measured page is logged in, and every logged-in request reads its session and its user "
        "before the view runs (`LoginRequiredMiddleware`), so the floor pays those two lookups too; what is left "
        "between a page and the floor is the page's own work. Every other page's median is given as a multiple "
        "of the floor's. (Below the table, not aims: `/healthz` without a session, as a load balancer calls it, "
        "and the smallest logged-in HTML page, the layout's cost.) Query counts are those of one request "
        "(in-process, Django's test client, the session and user lookups included): at the small size (the "
        "reference case, a portfolio of 5) and at the large size (the large case, a portfolio of 500).\n"
    )
    w(
        "The dashboard, side by side and the portfolio are kept whole per person in the page cache "
        "(`core/pagecache.py`) and served from it while nothing has been written since they were drawn: "
        "their key holds the data's revision (`core/revision.py`), a number every write moves on, so the "
        "measured views, one after another with no change between them, are served; the query counts give both, "
        "as served and, in brackets, as drawn. What drawing them costs (a first view, or any view after a "
        "change) is measured below the table with the page cache off.\n"
    )
    w("| page | median ms | p95 ms | req/s | × floor | queries (small) | queries (large) | verdict |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for page in pages:
        r = page.result
        verdict = "the floor" if page is floor else _page_verdict(page, floor)
        w(
            f"| {page.name} `{_short(page.path_large)}` | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.per_second:.1f} | "
            f"{page.ratio(floor):.2f} | {page.queries_small} | {page.queries_large} | {verdict} |"
        )
    notes = {
        extras[0].name: "not an aim: a load balancer's health check, without the session and user lookups",
        extras[1].name: "not an aim: the layout every logged-in HTML page pays (password form: navbar, roles, "
        "unread count), the least a page can cost",
    }
    for page in extras:
        r = page.result
        w(
            f"| {page.name} `{page.path_large}` | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.per_second:.1f} | "
            f"{page.ratio(floor):.2f} | {page.queries_small} | {page.queries_large} | {notes[page.name]} |"
        )
    w("")
    drawn = [page for page in pages if page.drawn is not None]
    if len(drawn) > 1:
        w(
            "Drawn every time (a second gunicorn with `PAGE_CACHE_SECONDS=0`, the same pages, "
            f"{drawn[1].drawn.count} requests each; its own floor, measured in the same run), not an aim: "
            "the cost of a first view, and of every view after a change to the data. The parts the same for "
            "everyone (results, bid list, criteria, the side by side's table) still come from the fragment "
            "cache (`scoring/fragments.py`) while the ranking is unchanged.\n"
        )
        w("| page, drawn | median ms | p95 ms | req/s | × its floor | queries |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for page in drawn:
            r, base = page.drawn, drawn[0].drawn
            w(
                f"| {page.name} `{_short(page.path_large)}` | {r.median_ms:.1f} | {r.p95_ms:.1f} | "
                f"{r.per_second:.1f} | {r.median_ms / base.median_ms:.2f} | {page.queries_large.drawn} |"
            )
        w("")
    w(
        f"The floor's median ranged over {min(floor_medians):.1f}–{max(floor_medians):.1f} ms from round to round: "
        "how steady the machine was during the run.\n"
    )

    w("## Import and sweep\n")
    w(
        "Each timed once, in-process, on a database at rest: `VACUUM (ANALYZE)` and `CHECKPOINT` just before, "
        "so the vacuum and the checkpoint that seeding 499 evaluations sets off do not land inside the "
        "timing.\n"
    )
    w("| what | seconds | aim | verdict |")
    w("| --- | ---: | ---: | --- |")
    w(
        f"| `load_evaluation` of the large case ({timings.facts['large case bids']} bids, "
        f"{timings.facts['large case scores']:,} scores): JSON text → `parse_package` → `evaluation_load` | "
        f"{total:.2f} | < {IMPORT_AIM:.0f} | {_verdict(total, IMPORT_AIM)} |"
    )
    w(f"| … of which parsing and validating (`loads` + `parse_package`) | {timings.large_parse:.2f} | | |")
    w(f"| … of which writing (`loading.evaluation_load`, one transaction) | {timings.large_write:.2f} | | |")
    w(
        f"| `notifications.reminders.sweep` over {timings.pending_assignments:,} assignments due tomorrow: "
        f"{timings.sweep_recorded:,} reminders recorded, {timings.sweep_sent:,} emailed in batches of 500 (dummy backend, Celery "
        f"eager, so delivery is inside the time) | {timings.sweep:.2f} | < {SWEEP_AIM:.0f} | "
        f"{_verdict(timings.sweep, SWEEP_AIM)} |"
    )
    w("")
    w(
        f"Setting up took: migrate {timings.migrate:.1f} s, the {PORTFOLIO_SIZE - 1} other evaluations "
        f"{timings.seed_small:.1f} s; the whole run {seconds / 60:.1f} min.\n"
    )

    missed = [page for page in pages[1:] if page.profile]
    if missed:
        w("## Profiles of the pages that miss\n")
        w(
            "cProfile over 10 in-process requests (test client, same database), per request; reproduce with "
            "`.venv/bin/python -m bench.profile PATH --queries` after a run.\n"
        )
        for page in missed:
            w(f"### {page.name}\n")
            w("```")
            w(page.profile.rstrip())
            w("```\n")
    return "\n".join(out) + "\n"


def _short(path: str) -> str:
    if "compare" in path:
        return path.split("?", 1)[0] + "?bid=…×4"
    return path


def _verdict(seconds: float, aim: float) -> str:
    if seconds < aim:
        return f"✅ meets ({seconds / aim:.0%} of the aim)"
    return f"❌ misses: {seconds / aim:.1f}× the aim"


if __name__ == "__main__":
    sys.exit(main())

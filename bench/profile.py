"""Pages requested in-process (Django's test client): query counts and cProfile profiles.

As a command, against the ``bench`` database ``make bench`` left behind::

    .venv/bin/python -m bench.profile /evaluations/1/ [--user executive] [--requests 10] [--queries]

prints where the time of one request goes (the app's own functions by
cumulative time, then every function by own time) and, with ``--queries``,
each SQL statement of one request.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import warnings
from dataclasses import dataclass

from bench.env import HOST, ROOT, apply, bench_env


@dataclass
class Counted:
    status: int
    queries: list[str]

    @property
    def count(self) -> int:
        return len(self.queries)


def client_for(username: str):
    """A test client logged in as ``username``, talking to the host the benchmark allows."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(SERVER_NAME=HOST)
    client.force_login(User.objects.get(username=username))
    return client


def count_queries(client, path: str, *, page_cache: bool = True) -> Counted:
    """The queries of one request for ``path``, after two that warm the process's caches (the first
    sets the CSRF cookie, the second fills the page cache); ``page_cache=False``: a page drawn."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    with override_settings(**({} if page_cache else {"PAGE_CACHE_SECONDS": 0})):
        client.get(path)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries = [q["sql"] for q in captured.captured_queries]
    return Counted(response.status_code, queries)


def _own_code(filename: str) -> bool:
    return filename.startswith(str(ROOT)) and "/.venv/" not in filename and "/bench/" not in filename


def profile(client, path: str, *, requests: int = 10, top: int = 12) -> str:
    """Where the time of a request for ``path`` goes, averaged over ``requests`` requests."""
    client.get(path)  # warm
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        response = client.get(path)
    profiler.disable()
    if response.status_code != 200:
        return f"{path} answered {response.status_code}"
    stats = pstats.Stats(profiler)
    rows = stats.stats  # {(file, line, name): (calls, primitive calls, tottime, cumtime, callers)}
    total = max(cumtime for *_, cumtime, _ in rows.values())

    def line(key, calls, tottime, cumtime) -> str:
        filename, number, name = key
        where = filename.removeprefix(str(ROOT) + "/")
        if "/site-packages/" in where:
            where = where.split("/site-packages/", 1)[1]
        return (
            f"{cumtime / requests * 1000:8.1f} ms cum {tottime / requests * 1000:8.1f} ms own "
            f"{calls // requests:>8} calls  {where}:{number} {name}"
        )

    out = io.StringIO()
    out.write(f"{path}: {total / requests * 1000:.1f} ms per request in-process (profiled)\n")
    out.write("The app's own functions, by cumulative time:\n")
    own = sorted(((k, v) for k, v in rows.items() if _own_code(k[0])), key=lambda kv: kv[1][3], reverse=True)
    for key, (calls, _, tottime, cumtime, _) in own[:top]:
        out.write(line(key, calls, tottime, cumtime) + "\n")
    out.write("Every function, by own time:\n")
    for key, (calls, _, tottime, cumtime, _) in sorted(rows.items(), key=lambda kv: kv[1][2], reverse=True)[:top]:
        out.write(line(key, calls, tottime, cumtime) + "\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", help="e.g. /evaluations/1/")
    parser.add_argument("--user", default="executive")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--queries", action="store_true", help="also list the SQL of one request")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", message="No directory at")
    apply(bench_env())
    import django

    django.setup()
    client = client_for(args.user)
    print(profile(client, args.path, requests=args.requests, top=args.top))
    if args.queries:
        counted = count_queries(client, args.path)
        print(f"{counted.count} queries (HTTP {counted.status}):")
        for sql in counted.queries:
            print(f"  {sql[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

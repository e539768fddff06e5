"""A small load generator: threads, each with its own ``http.client`` connection, and the login form.

No dependency beyond the standard library. Latency is measured per request
(sending it to having read the whole body); throughput is requests completed
divided by the wall time of the batch.
"""

from __future__ import annotations

import http.client
import re
import statistics
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie


@dataclass
class Result:
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    bytes: int = 0

    def merge(self, other: Result) -> None:
        self.latencies.extend(other.latencies)
        self.errors.extend(other.errors)
        self.wall += other.wall
        self.bytes += other.bytes

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))] * 1000

    @property
    def per_second(self) -> float:
        return self.count / self.wall if self.wall else 0.0


def hammer(host: str, port: int, path: str, *, cookie: str, requests: int, concurrency: int) -> Result:
    """GET ``path`` ``requests`` times from ``concurrency`` threads; any status but 200 is an error."""
    result = Result(path)
    lock = threading.Lock()
    remaining = [requests]

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=120)
        try:
            while take():
                started = time.perf_counter()
                try:
                    connection.request("GET", path, headers={"Cookie": cookie})
                    response = connection.getresponse()
                    body = response.read()
                    elapsed = time.perf_counter() - started
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()  # reconnects on the next request
                    with lock:
                        result.errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                if response.will_close:
                    connection.close()  # gunicorn's sync workers close after each response
                with lock:
                    if response.status == 200:
                        result.latencies.append(elapsed)
                        result.bytes += len(body)
                    else:
                        result.errors.append(f"HTTP {response.status}")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header in response.headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            jar[name] = morsel.value


def _cookie_header(jar: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def login(host: str, port: int, username: str, password: str) -> str:
    """Log in through the login form (CSRF cookie and token); returns the Cookie header to send."""
    jar: dict[str, str] = {}
    connection = http.client.HTTPConnection(host, port, timeout=60)
    try:
        connection.request("GET", "/accounts/login/")
        response = connection.getresponse()
        page = response.read().decode()
        _cookies(response, jar)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if response.status != 200 or match is None or "csrftoken" not in jar:
            raise RuntimeError(f"the login page answered {response.status} without a CSRF token")
        connection.close()
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password, "next": "/"}
        )
        connection.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": _cookie_header(jar)},
        )
        response = connection.getresponse()
        response.read()
        _cookies(response, jar)
        if response.status != 302 or "sessionid" not in jar:
            raise RuntimeError(f"logging in as {username} failed: HTTP {response.status}, no session cookie")
    finally:
        connection.close()
    return _cookie_header(jar)

"""The client side of `bench/bench_load.py`: processes of threads, each thread one keep-alive HTTP client on loopback
that sends a weighted mix of requests for a bounded time (and a bounded count) and records status and latency.

Runs in processes of its own (multiprocessing, spawn), apart from the server's, so that the clients' Python does not
share an interpreter with the app. Every plan item is plain data prepared by the orchestrator.
"""

import http.client
import json
import random
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

MARKETS = ("US", "ID", "BR", "MX", "GB", "DE", "FR", "IN", "PH", "VN", "TH", "TR")
OUTCOMES = ("false_positive", "false_negative", "wrong_policy", "correct")
BOARD_STATUSES = ("new", "triage", "investigating", "remediating", "monitoring")
SEVERITIES = ("S1", "S2", "S3", "S4")

# Operation -> weight (percent of requests): 70 reads of the case work, 20 sample lists, 10 writes.
MIX = {
    "board": 30,
    "room": 40,
    "samples_page": 10,
    "samples_api": 10,
    "comment": 5,
    "transition": 3,
    "bulk": 2,
}


@dataclass
class ClientPlan:
    """What one simulated client may do: its credentials, the cases it reads, and the cases and samples it writes."""

    index: int
    session_cookie: str
    token: str
    readable_cases: list[int]
    is_lead: bool
    transition_cases: dict[int, str] = field(default_factory=dict)  # case id -> current status
    bulk_records: list[dict] = field(default_factory=list)


def _request(conn: http.client.HTTPConnection, method: str, path: str, headers: dict, body: bytes | None = None):
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


class _Client:
    def __init__(self, host: str, port: int, plan: ClientPlan, seed: int) -> None:
        self.host, self.port, self.plan = host, port, plan
        self.rng = random.Random(seed)
        self.conn = http.client.HTTPConnection(host, port, timeout=30)
        self.page_headers = {"Cookie": f"sessionid={plan.session_cookie}", "Accept": "text/html"}
        self.api_headers = {"Authorization": f"Token {plan.token}", "Accept": "application/json"}
        self.json_headers = {**self.api_headers, "Content-Type": "application/json"}
        writes = ("comment", "transition", "bulk") if plan.is_lead else ("comment",)
        self.ops = [op for op in MIX if op not in ("comment", "transition", "bulk") or op in writes]
        self.weights = [MIX[op] for op in self.ops]

    def one(self) -> tuple[str, int, int]:
        return self.one_of(self.rng.choices(self.ops, self.weights)[0])

    def one_of(self, op: str) -> tuple[str, int, int]:
        """Send one request of kind `op`; returns (op, status, expected status)."""
        rng, plan = self.rng, self.plan
        if op == "board":
            query = urlencode({"status": rng.choice(BOARD_STATUSES), "severity": rng.choice(SEVERITIES)})
            return op, _request(self.conn, "GET", f"/cases/?{query}", self.page_headers), 200
        if op == "room":
            return op, _request(self.conn, "GET", f"/cases/{rng.choice(plan.readable_cases)}/", self.page_headers), 200
        if op == "samples_page":
            query = urlencode({"market": rng.choice(MARKETS), "outcome": rng.choice(OUTCOMES)})
            return op, _request(self.conn, "GET", f"/samples/?{query}", self.page_headers), 200
        if op == "samples_api":
            query = urlencode({"market": rng.choice(MARKETS), "outcome": rng.choice(OUTCOMES), "page_size": 50})
            return op, _request(self.conn, "GET", f"/api/v1/samples/?{query}", self.api_headers), 200
        if op == "comment":
            body = {"case": rng.choice(plan.readable_cases), "body": f"Load comment from client {plan.index}."}
            return (
                op,
                _request(self.conn, "POST", "/api/v1/comments/", self.json_headers, json.dumps(body).encode()),
                201,
            )
        if op == "transition":
            case_id = rng.choice(list(plan.transition_cases))
            current = plan.transition_cases[case_id]
            target = "monitoring" if current == "remediating" else "remediating"
            body = json.dumps({"to": target, "reason": "Load test: the fix did not hold."}).encode()
            status = _request(self.conn, "POST", f"/api/v1/cases/{case_id}/transition/", self.json_headers, body)
            if status == 200:
                plan.transition_cases[case_id] = target
            return op, status, 200
        records = rng.sample(plan.bulk_records, min(20, len(plan.bulk_records)))
        body = json.dumps(records).encode()
        return op, _request(self.conn, "POST", "/api/v1/samples/bulk/", self.json_headers, body), 200

    def run(self, until: float, record_after: float, max_requests: int, out: list) -> None:
        sent = 0
        while time.monotonic() < until and sent < max_requests:
            started = time.monotonic()
            try:
                op, status, expected = self.one()
            except (OSError, http.client.HTTPException) as exc:
                op, status, expected = "error", 0, 200
                out.append(("connection", 0, 200, (time.monotonic() - started) * 1000, type(exc).__name__))
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                continue
            sent += 1
            if started >= record_after:
                out.append((op, status, expected, (time.monotonic() - started) * 1000, ""))
        self.conn.close()


def drive(host: str, port: int, plans: list[ClientPlan], warmup: float, duration: float, max_requests: int, queue):
    """One driver process: a thread per plan; puts the list of (op, status, expected, ms, error) on `queue`."""
    start = time.monotonic()
    record_after, until = start + warmup, start + warmup + duration
    results: list[list] = [[] for _ in plans]
    threads = [
        threading.Thread(
            target=_Client(host, port, plan, seed=plan.index).run, args=(until, record_after, max_requests, results[n])
        )
        for n, plan in enumerate(plans)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put([row for rows in results for row in rows])

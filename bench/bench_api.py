"""Benchmark of the list endpoints on the benchmark dataset (bench/dataset.py), as a ratio to DRF itself.

For each measured request, the reference is a DRF endpoint defined here (not in the app) that returns a fixed payload
of the same size (the measured endpoint's own response, captured once) through the same stack: middleware, token
authentication, throttling, JSON rendering. The ratio says what the queries and serialization cost on top of DRF.

    .venv/bin/python -m bench.bench_api            # rca_bench: 1,000,000 samples, 100,000 cases; target ratio <= 4
    .venv/bin/python -m bench.bench_api --smoke    # rca_bench_smoke_api: 20,000 samples, 2,000 cases, a few seconds
"""

import argparse
import os
import statistics
import sys
import time
import types

from bench.dataset import DEFAULT_URL, FULL_CASES, FULL_SAMPLES, ensure_dataset, smoke_database_url

TARGET_RATIO = 4.0
MEASURED = {
    "cases: page_size=50, status + severity": "/api/v1/cases/?page_size=50&status=investigating&severity=S3",
    "samples: page_size=200, market": "/api/v1/samples/?page_size=200&market=ID",
}
URLCONF = "bench_api_urls"
# Text searches of samples, timed without a reference (no target: a figure to watch). `slang` is in 18% of the
# dataset's texts, `zzzqqq` in none (every text is read).
TEXT_SEARCHES = {
    "samples: q=slang (common word)": "/api/v1/samples/?page_size=200&q=slang",
    "samples: q=zzzqqq (no match)": "/api/v1/samples/?page_size=200&q=zzzqqq",
}
SEARCH_USERS = ("bench_lead_0", "bench_partner_0")


def _install_reference_urls(payloads: dict[str, object]) -> None:
    """A URLconf (module `bench_api_urls`) with the app's routes plus the reference endpoint, which returns the
    captured payload named in its URL: DRF's own cost for a response of that size. Built once Django is set up."""
    from django.urls import include, path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class ReferenceView(APIView):
        def get(self, request, name: str):
            return Response(payloads[name])

    module = types.ModuleType(URLCONF)
    module.urlpatterns = [
        path("bench/reference/<str:name>/", ReferenceView.as_view()),
        path("", include("config.urls")),
    ]
    sys.modules[URLCONF] = module


def _get_ms(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return elapsed


def _medians_ms(client, urls: tuple[str, ...], repeat: int) -> list[float]:
    """The median time of each URL over `repeat` rounds, the URLs taking turns within a round (so a slow spell of a
    shared machine weighs on the endpoint and its reference alike)."""
    timings: list[list[float]] = [[] for _ in urls]
    for _ in range(repeat):
        for index, url in enumerate(urls):
            timings[index].append(_get_ms(client, url))
    return [statistics.median(series) for series in timings]


def run(database_url: str, *, samples: int, cases: int, repeat: int) -> dict[str, dict[str, float]]:
    ensure_dataset(database_url, samples=samples, cases=cases)
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("API_TOKEN_THROTTLE_RATE", "1000000/min")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.urls import clear_url_caches
    from rest_framework.test import APIClient

    from config.api.authentication import token_for

    payloads: dict[str, object] = {}
    _install_reference_urls(payloads)
    settings.ROOT_URLCONF = URLCONF
    clear_url_caches()
    client = APIClient()
    token, _ = token_for(User.objects.get(username="bench_lead_0"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    results = {}
    for name, url in MEASURED.items():
        key = str(len(payloads))
        payloads[key] = client.get(url).json()
        reference_url = f"/bench/reference/{key}/"
        _medians_ms(client, (url, reference_url), 3)  # warm-up
        endpoint, reference = _medians_ms(client, (url, reference_url), repeat)
        rows = len(payloads[key]["results"])
        results[name] = {
            "endpoint_ms": endpoint,
            "reference_ms": reference,
            "ratio": endpoint / reference,
            "rows": rows,
        }
        print(
            f"{name:42s} rows={rows:3d}  endpoint {endpoint:7.1f} ms  reference {reference:6.1f} ms  "
            f"ratio {endpoint / reference:4.2f} (target <= {TARGET_RATIO})",
            flush=True,
        )
    for username in SEARCH_USERS:
        token, _ = token_for(User.objects.get(username=username))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        for name, url in TEXT_SEARCHES.items():
            _get_ms(client, url)  # warm-up
            median = statistics.median(_get_ms(client, url) for _ in range(max(3, repeat // 10)))
            results[f"{name}, {username}"] = {"endpoint_ms": median}
            print(f"{name:42s} {username:16s} median {median:7.1f} ms (no target)", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny dataset in its own database, a few repeats")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--repeat", type=int, default=None)
    args = parser.parse_args(argv)
    if args.smoke:
        url = smoke_database_url("rca_bench_smoke_api", args.database_url)
        run(url, samples=20_000, cases=2_000, repeat=args.repeat or 5)
        return 0
    results = run(args.database_url, samples=FULL_SAMPLES, cases=FULL_CASES, repeat=args.repeat or 100)
    return 0 if all(result.get("ratio", 0) <= TARGET_RATIO for result in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

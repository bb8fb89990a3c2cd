"""Issue 12: the metrics show per-operation latency, added up over `--workers` processes.

Each worker is a process of its own; /metrics is answered by whichever worker takes the
connection. With prometheus_client's multiprocess mode every answer counts every worker's
requests: 8 requests spread over 2 workers read 8 from any scrape."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

TOKEN = "metrics-for-workers"


@pytest.fixture(scope="module")
def two_workers(start_server):
    return start_server(env={"ZHICHENG_METRICS_TOKEN": TOKEN}, workers=2)


def samples(server, name: str) -> list:
    exposition = httpx.get(f"{server.url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10).text
    return [s for family in text_string_to_metric_families(exposition) for s in family.samples if s.name == name]


def test_latency_per_operation_is_summed_over_workers(two_workers):
    for _ in range(8):  # a connection each: the kernel hands them to either worker
        response = httpx.post(f"{two_workers.url}/graphql", timeout=10,
                              json={"query": "query WorkerRegions { regions { code } }"})
        assert response.status_code == 200 and "errors" not in response.json()
    for _ in range(4):  # whichever worker answers the scrape
        (count,) = [s.value for s in samples(two_workers, "zhicheng_graphql_request_duration_seconds_count")
                    if s.labels == {"operation": "WorkerRegions"}]
        assert count == 8
    buckets = [s for s in samples(two_workers, "zhicheng_graphql_request_duration_seconds_bucket")
               if s.labels.get("operation") == "WorkerRegions"]
    assert buckets and max(s.value for s in buckets) == 8  # the +Inf bucket
    assert samples(two_workers, "zhicheng_worker_cpu_seconds")  # per worker, by pid
    assert samples(two_workers, "zhicheng_sql_statements_total")

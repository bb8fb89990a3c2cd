"""Issue 15 end to end on a real server: `zhicheng serve` starts its job worker, a startExport
committed by a web process wakes it (LISTEN/NOTIFY across processes), the file comes down the
signed link over a real socket, and stopping `serve` stops the worker."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
import psutil

from app.database import run_in_transaction
from resolvers import accounts
from tests.support.api import LOGIN, PASSWORD
from tests.support.declarations import World
from tests.support.review import seed_approved

START = """mutation { startExport(kind: DECLARATIONS, format: JSONL) { export { id state } errors { code } } }"""
EXPORT = "query($id: ID!) { export(id: $id) { state rowsDone rowsTotal downloadUrl failureReason } }"


async def test_serve_runs_exports_in_its_worker(start_server, api, engine, services, clock):
    world = await World(api, engine, services).setup()
    await seed_approved(engine, world.unit["id"], [
        {"name": f"申报人{i}", "work_unit": world.unit["id"], "confirmed_at": clock.now() - timedelta(days=1)}
        for i in range(3)], "live")
    await run_in_transaction(services, accounts.create_admin, login_name="export_admin", password=PASSWORD,
                             region_code="370100", name="济南市职称办")
    server = start_server(env={"ZHICHENG_SERVE_WORKER": "ON"})
    workers = psutil.Process(server.process.pid).children()
    assert len(workers) == 1 and "worker" in workers[0].cmdline()

    login = server.graphql(LOGIN, {"login": "export_admin", "password": PASSWORD}).json()["data"]["login"]
    token = login["token"]
    started = server.graphql(START, token=token).json()["data"]["startExport"]
    assert started["errors"] == []
    deadline, export = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        export = server.graphql(EXPORT, {"id": started["export"]["id"]}, token).json()["data"]["export"]
        if export["state"] in ("SUCCEEDED", "FAILED"):
            break
        time.sleep(0.3)
    assert export is not None and export["state"] == "SUCCEEDED", (export, server.log_text()[-3000:])
    assert export["rowsDone"] == export["rowsTotal"] == 3

    response = httpx.get(server.url + export["downloadUrl"], headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    names = sorted(json.loads(line)["name"] for line in response.text.splitlines())
    assert names == ["申报人0", "申报人1", "申报人2"]

    server.stop()
    assert server.process.returncode == 0
    assert not workers[0].is_running() or workers[0].status() == psutil.STATUS_ZOMBIE

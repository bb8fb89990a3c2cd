"""Settings read once from the environment; every knob has a safe default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost: 64 MiB and 3 passes (RFC 9106's low-memory profile), but one lane.

    With 4 lanes one hash keeps 4 threads busy, so on a 2-core server a burst of logins
    starved the event loop of CPU (review-queue p99 6.8 s during 32 logins). One lane per
    hash and a bound on concurrent hashes (`concurrency`) leave the other cores to the
    requests; the cost per guess for an attacker is unchanged (memory × passes)."""

    time_cost: int = 3
    memory_cost: int = 65536  # KiB
    parallelism: int = 1
    # Hashes computed at once per process; the rest wait their turn without blocking anything.
    concurrency: int = max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / "var"
    argon2: Argon2Params = field(default_factory=Argon2Params)
    # Query limits. A real frontend query of this API nests about 6 levels
    # (declaration → records → materials …) and uses a handful of aliases, so
    # depth 10 / aliases 15 leave head-room while cutting off amplification.
    # 2000 tokens admits the largest hand-written query (~600 tokens) three times over.
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    # Validation cost (schema/limits.py; `python -m bench.validation` prints the numbers).
    # Selections are counted with every fragment expanded where it is spread; overlaps are
    # pairs of fields under one response path, which graphql-core's overlapping-fields rule
    # compares one by one. The largest hand-written query (bench's declaration with
    # everything) has 113 selections and no overlap; GraphiQL's introspection 239. At these
    # bounds the worst document that passes validated in ≤ 20 ms with the 2 cores shared at
    # load 7.5 (992 pairs of repeated arguments in 576 KB; 992 pairs of me{kind}: 5 ms), where
    # 490 × me{kind} took 3–4 s and 18 doubling fragments 3.5 s. 2000 pairs measured up to
    # 52 ms under that load, over the 50 ms budget.
    max_selections: int = 1000
    max_field_overlaps: int = 1000
    max_page_size: int = 100
    # Request bodies: JSON GraphQL requests are small; multipart carries one file.
    max_json_body: int = 1 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    # Sessions (等保三级 practice).
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Failed logins (rules/throttle.py): per account (or unknown login) the first 5 failures
    # are free, then each blocks for 30 s doubling up to 15 min — not a 30-minute lock that
    # anyone could renew for any documented login forever. Per client address, 10 free, then
    # up to an hour: a single attacker is stopped long before the owner's wait grows.
    lockout_threshold: int = 5
    login_first_delay_seconds: int = 30
    login_max_delay_seconds: int = 15 * 60
    login_address_threshold: int = 10
    login_address_max_delay_seconds: int = 60 * 60
    login_forget_hours: int = 24
    # Peers whose X-Forwarded-For is believed (a reverse proxy's address); none by default:
    # the header is the client's to forge.
    trusted_proxies: tuple[str, ...] = ()
    db_pool_size: int = 10
    # Seconds a request waits for a pooled connection before it is answered 503.
    db_pool_timeout: float = 10.0
    # The HTTP edge (core/http.py). A body is read whole before anything touches the
    # database, within this many seconds (JSON) or for an upload; then 408. A slow client
    # costs a socket and its buffered bytes, never a pooled connection.
    body_timeout: float = 10.0
    upload_timeout: float = 120.0
    # Load shedding per worker for /graphql and /materials: this many requests run at once,
    # this many more wait up to queue_timeout seconds; the rest get 503 with Retry-After.
    # None: 8, or the pool's capacity (2 × db_pool_size) if smaller, so no request waits on
    # the pool. A worker is one event loop: 8 in flight gave the throughput of 20 (73 pages/s,
    # bench.overload, 200 clients) with /healthz p99 75 ms instead of 180 ms.
    max_concurrent: int | None = None
    max_waiting: int = 100
    queue_timeout: float = 5.0
    # /metrics answers only `Authorization: Bearer <metrics_token>`; unset, it is 404.
    metrics_token: str | None = None

    @property
    def request_slots(self) -> int:
        return self.max_concurrent or min(8, 2 * self.db_pool_size)
    # 一次性告知补正: the longest a unit may give an applicant to correct (days after today).
    correction_max_days: int = 30
    # Each worker checks catalog_version this often (one one-row statement) and reloads its
    # in-memory catalogue when another worker changed it; its own changes apply at once.
    catalog_refresh_seconds: float = 5.0

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "materials"

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            data_dir=Path(os.environ.get("ZHICHENG_DATA_DIR", str(PROJECT_ROOT / "var"))),
            max_query_depth=_int("ZHICHENG_MAX_DEPTH", 10),
            max_aliases=_int("ZHICHENG_MAX_ALIASES", 15),
            max_tokens=_int("ZHICHENG_MAX_TOKENS", 2000),
            max_selections=_int("ZHICHENG_MAX_SELECTIONS", 1000),
            max_field_overlaps=_int("ZHICHENG_MAX_FIELD_OVERLAPS", 1000),
            db_pool_size=_int("ZHICHENG_DB_POOL_SIZE", 10),
            lockout_threshold=_int("ZHICHENG_LOGIN_THRESHOLD", 5),
            login_first_delay_seconds=_int("ZHICHENG_LOGIN_FIRST_DELAY_SECONDS", 30),
            login_max_delay_seconds=_int("ZHICHENG_LOGIN_MAX_DELAY_SECONDS", 15 * 60),
            login_address_threshold=_int("ZHICHENG_LOGIN_ADDRESS_THRESHOLD", 10),
            login_address_max_delay_seconds=_int("ZHICHENG_LOGIN_ADDRESS_MAX_DELAY_SECONDS", 60 * 60),
            login_forget_hours=_int("ZHICHENG_LOGIN_FORGET_HOURS", 24),
            trusted_proxies=tuple(
                p.strip() for p in os.environ.get("ZHICHENG_TRUSTED_PROXIES", "").split(",") if p.strip()),
            db_pool_timeout=_float("ZHICHENG_DB_POOL_TIMEOUT", 10.0),
            body_timeout=_float("ZHICHENG_BODY_TIMEOUT", 10.0),
            upload_timeout=_float("ZHICHENG_UPLOAD_TIMEOUT", 120.0),
            max_concurrent=_int("ZHICHENG_MAX_CONCURRENT", 0) or None,
            max_waiting=_int("ZHICHENG_MAX_WAITING", 100),
            queue_timeout=_float("ZHICHENG_QUEUE_TIMEOUT", 5.0),
            metrics_token=os.environ.get("ZHICHENG_METRICS_TOKEN") or None,
            correction_max_days=_int("ZHICHENG_CORRECTION_MAX_DAYS", 30),
            catalog_refresh_seconds=_float("ZHICHENG_CATALOG_REFRESH_SECONDS", 5.0),
        )

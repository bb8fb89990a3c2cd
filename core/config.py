"""Settings read once from the environment; every knob has a safe default.

Each tunable is declared once, below, as a typed field with its environment variable and
a description (`setting(...)`): `Settings.from_env()` reads and checks them from that
declaration, `zhicheng serve --help` lists them and the README's settings table is made
from it (`zhicheng settings`; a test keeps the two equal).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingError(ValueError):
    """An environment variable that does not parse as its setting's type or range."""


def setting(default: Any, env: str, help: str, *, minimum: float | None = None, shown: str | None = None,
            choices: tuple[str, ...] = (), secret: bool = False) -> Any:
    """A field of `Settings` read from `env`. Numbers must be positive, or at least `minimum`;
    `shown` is the default as the README and --help print it, when repr would mislead; a
    `secret` stays out of repr (a settings object printed in a traceback or a log)."""
    metadata = {"env": env, "help": help, "minimum": minimum, "shown": shown, "choices": choices}
    return field(default=default, repr=not secret, metadata=metadata)


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
    database_url: str | None = setting(
        None, "DATABASE_URL", "PostgreSQL URL (postgresql://…); unset: the embedded PostgreSQL in the data dir",
        shown="unset", secret=True)
    data_dir: Path = setting(PROJECT_ROOT / "var", "ZHICHENG_DATA_DIR",  # noqa: RUF009 (a Path is immutable)
                             "uploaded materials and the embedded PostgreSQL live here", shown="var/")
    # Not read from the environment: the cost is a security decision made in code, not a knob.
    argon2: Argon2Params = field(default_factory=Argon2Params)
    # Query limits. A real frontend query of this API nests about 6 levels
    # (declaration → records → materials …) and uses a handful of aliases, so
    # depth 10 / aliases 15 leave head-room while cutting off amplification.
    # 2000 tokens admits the largest hand-written query (~600 tokens) three times over.
    max_query_depth: int = setting(10, "ZHICHENG_MAX_DEPTH", "deepest nesting of fields in a GraphQL document")
    max_aliases: int = setting(15, "ZHICHENG_MAX_ALIASES", "aliases in one GraphQL document")
    max_tokens: int = setting(2000, "ZHICHENG_MAX_TOKENS", "tokens in one GraphQL document")
    # Validation cost (schema/limits.py; `python -m bench.validation` prints the numbers).
    # Selections are counted with every fragment expanded where it is spread; overlaps are
    # pairs of fields under one response path, which graphql-core's overlapping-fields rule
    # compares one by one. The largest hand-written query (bench's declaration with
    # everything) has 113 selections and no overlap; GraphiQL's introspection 239. At these
    # bounds the worst document that passes validated in ≤ 20 ms with the 2 cores shared at
    # load 7.5 (992 pairs of repeated arguments in 576 KB; 992 pairs of me{kind}: 5 ms), where
    # 490 × me{kind} took 3–4 s and 18 doubling fragments 3.5 s. 2000 pairs measured up to
    # 52 ms under that load, over the 50 ms budget.
    max_selections: int = setting(1000, "ZHICHENG_MAX_SELECTIONS",
                                  "selections of a document, every fragment expanded where it is spread")
    max_field_overlaps: int = setting(1000, "ZHICHENG_MAX_FIELD_OVERLAPS",
                                      "pairs of fields answering under one response path")
    max_page_size: int = setting(100, "ZHICHENG_MAX_PAGE_SIZE",
                                 "most items per page of a list (`first`); the SDL states the default")
    # Request bodies: JSON GraphQL requests are small; multipart carries one file.
    max_json_body: int = setting(1 * 1024 * 1024, "ZHICHENG_MAX_JSON_BODY", "bytes of a JSON request body; else 413",
                                 shown="1048576 (1 MiB)")
    max_upload_bytes: int = setting(20 * 1024 * 1024, "ZHICHENG_MAX_UPLOAD_BYTES", "bytes of one uploaded material",
                                    shown="20971520 (20 MiB)")
    # Sessions (等保三级 practice).
    session_idle_minutes: int = setting(30, "ZHICHENG_SESSION_IDLE_MINUTES",
                                        "a login token expires after this many minutes unused")
    session_absolute_hours: int = setting(12, "ZHICHENG_SESSION_ABSOLUTE_HOURS",
                                          "and after this many hours whatever its use")
    # Failed logins (rules/throttle.py): per account (or unknown login) the first 5 failures
    # are free, then each blocks for 30 s doubling up to 15 min — not a 30-minute lock that
    # anyone could renew for any documented login forever. Per client address, 10 free, then
    # up to an hour: a single attacker is stopped long before the owner's wait grows.
    lockout_threshold: int = setting(5, "ZHICHENG_LOGIN_THRESHOLD", "failed logins of an account before it waits")
    login_first_delay_seconds: int = setting(30, "ZHICHENG_LOGIN_FIRST_DELAY_SECONDS",
                                             "the first wait (s), doubling with each further failure")
    login_max_delay_seconds: int = setting(15 * 60, "ZHICHENG_LOGIN_MAX_DELAY_SECONDS",
                                           "the longest wait of an account (s)")
    login_address_threshold: int = setting(10, "ZHICHENG_LOGIN_ADDRESS_THRESHOLD",
                                           "failed logins from one client address before it waits")
    login_address_max_delay_seconds: int = setting(60 * 60, "ZHICHENG_LOGIN_ADDRESS_MAX_DELAY_SECONDS",
                                                   "the longest wait of an address (s)")
    login_forget_hours: int = setting(24, "ZHICHENG_LOGIN_FORGET_HOURS",
                                      "failures older than this are forgotten (h)")
    # Peers whose X-Forwarded-For is believed (a reverse proxy's address); none by default:
    # the header is the client's to forge.
    trusted_proxies: tuple[str, ...] = setting(
        (), "ZHICHENG_TRUSTED_PROXIES", "comma-separated peer addresses whose X-Forwarded-For is believed",
        shown="none")
    db_pool_size: int = setting(10, "ZHICHENG_DB_POOL_SIZE", "pooled database connections per worker "
                                                             "(plus as many overflow)")
    db_pool_timeout: float = setting(10.0, "ZHICHENG_DB_POOL_TIMEOUT",
                                     "wait for a pooled connection, and connect timeout (s); then 503")
    # core/db.py: the dialect's ping is three round trips; a connection in use moments ago
    # skips it. 0 pings at every checkout.
    db_ping_after_idle: float = setting(1.0, "ZHICHENG_DB_PING_AFTER_IDLE",
                                        "a pooled connection idle this long is pinged before use (s)",
                                        minimum=0)
    # The HTTP edge (core/http.py). A body is read whole before anything touches the
    # database, within this many seconds (JSON) or for an upload; then 408. A slow client
    # costs a socket and its buffered bytes, never a pooled connection.
    body_timeout: float = setting(10.0, "ZHICHENG_BODY_TIMEOUT", "a JSON body must arrive whole within this (s); "
                                                                 "else 408")
    upload_timeout: float = setting(120.0, "ZHICHENG_UPLOAD_TIMEOUT", "the same for a multipart upload (s)")
    # Load shedding per worker for /graphql and /materials: this many requests run at once,
    # this many more wait up to queue_timeout seconds; the rest get 503 with Retry-After.
    # None: 8, or the pool's capacity (2 × db_pool_size) if smaller, so no request waits on
    # the pool. A worker is one event loop: 8 in flight gave the throughput of 20 (73 pages/s,
    # bench.overload, 200 clients) with /healthz p99 75 ms instead of 180 ms.
    max_concurrent: int | None = setting(None, "ZHICHENG_MAX_CONCURRENT",
                                         "API requests a worker runs at once; unset or 0: 8, or 2 × pool if smaller",
                                         minimum=0, shown="unset")
    max_waiting: int = setting(100, "ZHICHENG_MAX_WAITING",
                               "more wait for a slot; beyond that 503 SERVER_BUSY at once", minimum=0)
    queue_timeout: float = setting(5.0, "ZHICHENG_QUEUE_TIMEOUT",
                                   "a waiting request gets 503 SERVER_BUSY after this (s)")
    # /metrics answers only `Authorization: Bearer <metrics_token>`; unset, it is 404.
    metrics_token: str | None = setting(None, "ZHICHENG_METRICS_TOKEN",
                                        "/metrics answers this bearer token only; unset: 404", shown="unset",
                                        secret=True)
    # 一次性告知补正: the longest a unit may give an applicant to correct (days after today).
    correction_max_days: int = setting(30, "ZHICHENG_CORRECTION_MAX_DAYS",
                                       "the longest deadline a unit may set for a correction (days)")
    log_level: str = setting("INFO", "ZHICHENG_LOG_LEVEL", "the least severe log lines written",
                             choices=LOG_LEVELS)

    @property
    def request_slots(self) -> int:
        return self.max_concurrent or min(8, 2 * self.db_pool_size)
    # 单位公示: the fewest working days a unit may publicise before reporting (人社部令第40号:
    # at least 5). A deployment may lower it only for a demonstration (0 ends at once).
    unit_publicity_working_days: int = setting(5, "ZHICHENG_UNIT_PUBLICITY_WORKING_DAYS",
                                               "fewest working days of a 单位公示 (0 only for demonstrations)",
                                               minimum=0)
    # importRegistry / load-registry: the most entries one file may hold, and its bytes (under
    # the 20 MB multipart cap; a row of a long company name is ~70 bytes, so 16 MiB is ~240,000
    # rows). Measured: 200,000 rows (14 MB) imported end to end in 4.4-5.4 s, 300,000 parsed
    # in 2.6 s of CPU (in a thread): either bound keeps one import to seconds.
    registry_max_rows: int = setting(300_000, "ZHICHENG_REGISTRY_MAX_ROWS", "entries of one registry file")
    registry_max_bytes: int = setting(16 * 1024 * 1024, "ZHICHENG_REGISTRY_MAX_BYTES", "bytes of one registry file",
                                      shown="16777216 (16 MiB)")
    # Each worker checks catalog_version this often (one one-row statement) and reloads its
    # in-memory catalogue when another worker changed it; its own changes apply at once.
    catalog_refresh_seconds: float = setting(5.0, "ZHICHENG_CATALOG_REFRESH_SECONDS",
                                             "how often a worker looks for catalogue changes by others (s)")
    # Trusted documents (issue 16): which callers may send only registered documents (by id, or
    # as a text whose SHA-256 is registered); the others keep arbitrary documents (staff in
    # GraphiQL). Refused before the text is parsed.
    trusted_documents_only: str = setting("NONE", "ZHICHENG_TRUSTED_DOCUMENTS_ONLY",
                                          "callers restricted to trusted documents: NONE, ANONYMOUS, "
                                          "ANONYMOUS_AND_CLIENTS (also API clients) or ALL_BUT_STAFF (anonymous, "
                                          "applicants and API clients; units and admins keep arbitrary documents)",
                                          choices=("NONE", "ANONYMOUS", "ANONYMOUS_AND_CLIENTS", "ALL_BUT_STAFF"))
    # A worker keeps the documents it has looked up; a retirement by another worker is seen
    # within this many seconds (its own at once).
    trusted_documents_refresh_seconds: float = setting(
        5.0, "ZHICHENG_TRUSTED_DOCUMENTS_REFRESH_SECONDS",
        "how long a worker trusts its copy of a registered document before looking again (s)")
    # 评审 (committee stage): the regulation's panels (人社部令第40号: a series committee of
    # senior titles has at least 25 experts, a specialty committee at least 11); a session's
    # panel is odd and at least these, its default size too.
    review_panel_size_senior: int = setting(25, "ZHICHENG_REVIEW_PANEL_SIZE_SENIOR",
                                            "smallest (and default) panel of a 正高/副高 review session", minimum=3)
    review_panel_size: int = setting(11, "ZHICHENG_REVIEW_PANEL_SIZE",
                                     "smallest (and default) panel of a review session of other levels", minimum=3)
    review_group_size: int = setting(5, "ZHICHENG_REVIEW_GROUP_SIZE",
                                     "experts per opinion group (评议组) a panel is dealt into (never under 3)",
                                     minimum=3)
    # The key that names and seals ballots (rules.ballot), kept out of the database. Every
    # worker and host needs the same one; unset, it is made once in the data dir (ballot.key).
    ballot_key: str | None = setting(None, "ZHICHENG_BALLOT_KEY",
                                     "64 hex digits keying secret ballots; unset: var/ballot.key, made on first use",
                                     shown="unset", secret=True)

    # 评审结果公示 (issue 14): the fewest working days a committee publicises its results
    # (人社部令第40号: at least 5); lowered only for a demonstration.
    results_publicity_working_days: int = setting(5, "ZHICHENG_RESULTS_PUBLICITY_WORKING_DAYS",
                                                  "fewest working days of a 评审结果公示 (0 only for demonstrations)",
                                                  minimum=0)
    # Where the certificate's QR code sends a reader: `{this}/verify?no=<number>`.
    public_base_url: str = setting("http://127.0.0.1:8000", "ZHICHENG_PUBLIC_BASE_URL",
                                   "the public address of the service, for the certificate's QR code")
    # verifyCertificate: answers that find no certificate (a wrong number or name) are counted
    # per client address like failed logins (rules/throttle.py), so guessing pairs is slow;
    # a found certificate costs nothing. Forgotten after ZHICHENG_LOGIN_FORGET_HOURS.
    verify_threshold: int = setting(20, "ZHICHENG_VERIFY_THRESHOLD",
                                    "certificate checks finding nothing from one address before it waits")
    verify_first_delay_seconds: int = setting(60, "ZHICHENG_VERIFY_FIRST_DELAY_SECONDS",
                                              "the first wait (s), doubling with each further miss")
    verify_max_delay_seconds: int = setting(60 * 60, "ZHICHENG_VERIFY_MAX_DELAY_SECONDS",
                                            "the longest wait of an address for certificate checks (s)")
    # The job queue's worker (app/worker.py, issue 15). Jobs are I/O-bound (a cursor streamed
    # to a file, an HTTP delivery): a few at once per worker process; more processes scale out.
    worker_concurrency: int = setting(2, "ZHICHENG_WORKER_CONCURRENCY", "jobs one worker process runs at once")
    worker_shutdown_seconds: float = setting(30.0, "ZHICHENG_WORKER_SHUTDOWN_SECONDS",
                                             "on SIGTERM a worker lets running jobs finish this long (s), "
                                             "then cancels them")
    # `zhicheng serve` starts one worker process beside the web workers (OFF, or `serve
    # --no-worker`, where workers run elsewhere: `zhicheng worker`).
    serve_worker: str = setting("ON", "ZHICHENG_SERVE_WORKER", "ON: `zhicheng serve` also starts a job worker",
                                choices=("ON", "OFF"))
    # Webhooks (rules/webhooks.py, app/webhooks.py). Targets are public https addresses unless
    # the operator lists an intranet here (then private addresses and plain http are allowed
    # inside it). Retries double from the base to the cap (plus up to 50 % jitter) for a day;
    # a delivery leased by a worker that died is taken again after the lease, which must
    # outlast the request timeout.
    webhook_allowed_networks: tuple[str, ...] = setting(
        (), "ZHICHENG_WEBHOOK_ALLOWED_NETWORKS",
        "comma-separated networks (CIDR) webhooks may post to although private or loopback, "
        "over http too; none: public https addresses only", shown="none")
    webhook_timeout_seconds: float = setting(10.0, "ZHICHENG_WEBHOOK_TIMEOUT_SECONDS",
                                             "a webhook receiver must answer within this (s)")
    webhook_retry_base_seconds: float = setting(10.0, "ZHICHENG_WEBHOOK_RETRY_BASE_SECONDS",
                                                "the first retry of a failed delivery (s), doubling after")
    webhook_retry_max_seconds: float = setting(3600.0, "ZHICHENG_WEBHOOK_RETRY_MAX_SECONDS",
                                               "the longest wait between two attempts (s)")
    webhook_retry_hours: float = setting(24.0, "ZHICHENG_WEBHOOK_RETRY_HOURS",
                                         "a delivery is retried this long (h), then FAILED")
    webhook_lease_seconds: float = setting(60.0, "ZHICHENG_WEBHOOK_LEASE_SECONDS",
                                           "a worker holds a delivery this long (s); if it dies, another "
                                           "sends it after")
    webhook_poll_seconds: float = setting(1.0, "ZHICHENG_WEBHOOK_POLL_SECONDS",
                                          "an idle worker looks for new events and due retries this often (s)")
    webhook_concurrency: int = setting(8, "ZHICHENG_WEBHOOK_CONCURRENCY",
                                       "deliveries one worker sends at once")

    def __post_init__(self) -> None:
        try:
            self.webhook_networks  # noqa: B018 (a bad network fails at start, naming the variable)
        except ValueError as exc:
            raise SettingError(f"ZHICHENG_WEBHOOK_ALLOWED_NETWORKS: {exc}") from None
        if self.webhook_lease_seconds <= self.webhook_timeout_seconds:
            raise SettingError("ZHICHENG_WEBHOOK_LEASE_SECONDS must exceed ZHICHENG_WEBHOOK_TIMEOUT_SECONDS")

    @property
    def webhook_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(n, strict=False) for n in self.webhook_allowed_networks]
    # Bulk exports (批量导出). Files live under data_dir/exports for `export_keep_hours` after
    # they are done, then a periodic job removes them; a download link read from the API is
    # good for `export_link_minutes` (never past the file). Progress is written every
    # `export_progress_rows` rows (one UPDATE, not one per row).
    export_keep_hours: int = setting(24, "ZHICHENG_EXPORT_KEEP_HOURS", "a finished export's file is kept this long (h)")
    export_link_minutes: int = setting(60, "ZHICHENG_EXPORT_LINK_MINUTES",
                                       "a download link of an export is valid this long (min)")
    export_progress_rows: int = setting(10_000, "ZHICHENG_EXPORT_PROGRESS_ROWS",
                                        "an export's progress is written every this many rows")
    export_max_active: int = setting(3, "ZHICHENG_EXPORT_MAX_ACTIVE",
                                     "queued or running exports one account may have at once")

    # API clients (issue 15). A client token lives an hour with no idle expiry: long enough for
    # any sync to finish on one token, short enough that a leaked one soon dies; a client asks
    # for a new one with its secret (RFC 6749 §4.4 grants have no refresh token).
    client_token_minutes: int = setting(60, "ZHICHENG_CLIENT_TOKEN_MINUTES",
                                        "an API client's access token expires this many minutes after its grant")
    # rotateApiClientSecret keeps the old secret valid for the overlap the admin chooses, at most this.
    client_secret_max_overlap_hours: int = setting(
        7 * 24, "ZHICHENG_CLIENT_SECRET_MAX_OVERLAP_HOURS",
        "longest time an old client secret stays valid after a rotation (h; 0: none allowed)", minimum=0)

    # Rate limits by query cost (schema/cost.py: the objects a document could return, each
    # connection's `first` multiplying what it contains). An API client gets GitHub's order
    # of magnitude (5,000 points of 100 nodes an hour); an anonymous address less (people
    # behind one NAT register and log in for cost 1 each). Logged-in people have none: they
    # are few, known and audited, and a limit would stop a reviewer mid-queue.
    rate_window_seconds: int = setting(3600, "ZHICHENG_RATE_WINDOW_SECONDS", "length of a rate-limit window (s)")
    rate_client_budget: int = setting(500_000, "ZHICHENG_RATE_CLIENT_BUDGET",
                                      "query cost an API client may spend per window")
    rate_anonymous_budget: int = setting(50_000, "ZHICHENG_RATE_ANONYMOUS_BUDGET",
                                         "query cost one address may spend per window without a login")
    idempotency_hours: int = setting(24, "ZHICHENG_IDEMPOTENCY_HOURS",
                                     "how long a mutation's answer is kept for a retry with its Idempotency-Key (h)")

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "materials"

    @property
    def export_dir(self) -> Path:
        return self.data_dir / "exports"

    @classmethod
    def from_env(cls, environ: typing.Mapping[str, str] | None = None) -> "Settings":
        """Every declared setting whose variable is set (and not empty), parsed as its type;
        SettingError names the variable of a value that does not fit."""
        environ = os.environ if environ is None else environ
        hints = typing.get_type_hints(cls)
        values = {f.name: _parse(f, hints[f.name], environ[f.metadata["env"]])
                  for f in declared() if environ.get(f.metadata["env"], "").strip()}
        return cls(**values)


def declared() -> list[dataclasses.Field]:
    """The settings read from the environment, in declaration order."""
    return [f for f in dataclasses.fields(Settings) if "env" in f.metadata]


def _parse(f: dataclasses.Field, hint: Any, raw: str) -> Any:
    env, raw = f.metadata["env"], raw.strip()
    kind = _base(hint)
    try:
        if kind is tuple:
            return tuple(part.strip() for part in raw.split(",") if part.strip())
        value = kind(raw.upper() if f.metadata["choices"] else raw)
    except ValueError:
        raise SettingError(f"{env}={raw!r}: not {_TYPE_NAMES.get(kind, kind.__name__)}") from None
    if kind is float and not math.isfinite(value):
        raise SettingError(f"{env}={raw!r}: not a finite number")
    if f.metadata["choices"] and value not in f.metadata["choices"]:
        raise SettingError(f"{env}={raw!r}: one of {', '.join(f.metadata['choices'])}")
    minimum = f.metadata["minimum"]
    if kind in (int, float) and minimum is None and value <= 0:
        raise SettingError(f"{env}={raw!r}: must be positive")
    if kind in (int, float) and minimum is not None and value < minimum:
        raise SettingError(f"{env}={raw!r}: at least {minimum:g}")
    return value


_TYPE_NAMES = {int: "an integer", float: "a number"}


def _base(hint: Any) -> type:
    """int for `int | None`, tuple for `tuple[str, ...]`, the type itself otherwise."""
    if isinstance(hint, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    return typing.get_origin(hint) or hint


def shown_default(f: dataclasses.Field) -> str:
    if f.metadata["shown"] is not None:
        return f.metadata["shown"]
    return f"{f.default:g}" if isinstance(f.default, float) else str(f.default)


def settings_table() -> str:
    """The README's table of settings (Markdown), made from the declaration."""
    rows = ["| env var | default | what |", "|---|---|---|"]
    rows += [f"| `{f.metadata['env']}` | {shown_default(f)} | {f.metadata['help']} |" for f in declared()]
    return "\n".join(rows) + "\n"


def settings_help() -> str:
    """The settings as plain text, for `zhicheng serve --help`."""
    lines = ["settings (environment variables):"]
    for f in declared():
        lines.append(f"  {f.metadata['env']} (default {shown_default(f)})")
        lines.append(f"      {f.metadata['help']}")
    return "\n".join(lines)

"""Settings read once from the environment; every knob has a safe default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


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
    max_page_size: int = 100
    # Request bodies: JSON GraphQL requests are small; multipart carries one file.
    max_json_body: int = 1 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    # Sessions and lockout (等保三级 practice).
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    lockout_threshold: int = 5
    lockout_minutes: int = 30
    db_pool_size: int = 10
    # 单位公示: the fewest working days a unit may publicise before reporting (人社部令第40号:
    # at least 5). A deployment may lower it only for a demonstration (0 ends at once).
    unit_publicity_working_days: int = 5

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
            db_pool_size=_int("ZHICHENG_DB_POOL_SIZE", 10),
            unit_publicity_working_days=max(0, _int("ZHICHENG_UNIT_PUBLICITY_WORKING_DAYS", 5)),
        )

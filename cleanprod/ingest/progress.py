"""Progress of running import jobs, shared between the worker and the web process.

It goes through Django's cache (a file cache by default, Redis when configured) rather than
the database, because on SQLite the import's own open transaction holds the write lock.
"""

import time
from typing import Any

from django.core.cache import cache

TIMEOUT_SECONDS = 24 * 3600


def _key(job_id: int) -> str:
    return f"cleanprod:import-progress:{job_id}"


def set_progress(job_id: int, progress: dict[str, Any]) -> None:
    cache.set(_key(job_id), {**progress, "updated_at": time.time()}, TIMEOUT_SECONDS)


def get_progress(job_id: int) -> dict[str, Any] | None:
    value = cache.get(_key(job_id))
    return value if isinstance(value, dict) else None

"""Locate the workplace's shared data sets that may be read but not copied into the repository.

Two data sets in ``../shared/data`` carry an unclear licence; tests read them in place.
``CLEANPROD_SHARED_DATA`` names the folder explicitly; otherwise the folder beside the
repository is used. A test needing a missing data set is skipped with the reason.
"""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def shared_data(name: str) -> Path:
    """Return ``shared/data/<name>``, or skip the calling test when it is not on this machine."""
    candidates = [Path(os.environ["CLEANPROD_SHARED_DATA"])] if os.environ.get("CLEANPROD_SHARED_DATA") else []
    candidates += [REPOSITORY.parent / "shared" / "data", Path("/work/shared/data")]
    for base in candidates:
        if (base / name).is_dir():
            return base / name
    pytest.skip(f"shared data set {name!r} is not on this machine; set CLEANPROD_SHARED_DATA to its folder")

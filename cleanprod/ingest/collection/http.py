"""POST /api/v1/readings/batch: a data logger or SCADA system sends readings of one site with an API token.

The batch goes through the import pipeline in one transaction, so counter arithmetic,
duplicates, conflicts and late readings are handled as for a file. Sending the same batch
again stores nothing: every reading is an identical duplicate then.
"""

import json
import logging
from typing import Any

from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import HttpBearer

from cleanprod.api.errors import ApiError, ErrorOut
from cleanprod.ingest.models import ApiToken, CollectionSource, RejectedMessage
from cleanprod.ingest.pipeline import MemoryRow, RowsRequest, store_rows

from .readings import RowProblem, batch_sha256, parse_reading
from .tokens import find_token, mark_used

logger = logging.getLogger(__name__)

MAX_BATCH_ROWS = 10_000
# Rejected rows of one batch kept as RejectedMessage for the collection page; the response lists all of them.
REJECTIONS_KEPT_PER_BATCH = 100
PAYLOAD_KEPT = 1000  # characters of a rejected payload kept for the collection page


class TokenAuth(HttpBearer):
    """Authorization: Bearer <token>. A revoked or unknown token gets 401 with its own code and message."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = find_token(token.strip())
        if found is None:
            raise ApiError(
                "invalid_token",
                _("The API token is not valid; check that it was copied completely, or create a new one."),
                401,
            )
        if found.revoked_at is not None:
            raise ApiError(
                "token_revoked",
                _("The API token %(prefix)s… was revoked; ask a site manager for a new token.")
                % {"prefix": found.prefix},
                401,
            )
        return found


class ReadingIn(Schema):
    meter: str | int = Field(description="Meter code of the token's site.")
    timestamp: str = Field(
        description="ISO 8601 with offset, e.g. 2024-04-10T10:30:00+08:00; without an offset, the site's local time."
    )
    value: float | str | None = Field(description="Reading in the meter's unit, or in `unit`.")
    unit: str | None = Field(default=None, description="Unit of the value if it is not the meter's unit.")


class BatchIn(Schema):
    readings: list[ReadingIn] = Field(max_length=MAX_BATCH_ROWS)
    replace_conflicts: bool = Field(
        default=False,
        description="Overwrite stored readings that have another value; each replacement is kept in the history.",
    )


class RejectedRowOut(Schema):
    index: int = Field(description="Position of the reading in the batch, counted from 0; messages count from 1.")
    meter: str
    timestamp: str
    code: str
    message: str


class BatchOut(Schema):
    inserted: int
    duplicates: int
    conflicts: int
    replaced: int
    accepted: list[int]
    rejected: list[RejectedRowOut]
    batch: int | None


router = Router(tags=["collection"])


@router.post(
    "/v1/readings/batch",
    auth=TokenAuth(),
    response={200: BatchOut, 400: ErrorOut, 401: ErrorOut, 409: ErrorOut},
    summary="Send a batch of meter readings",
)
def readings_batch(request: HttpRequest, payload: BatchIn) -> BatchOut:
    """Store up to 10,000 readings of the token's site; readings may be out of order or late.

    Each reading that cannot be stored is listed under ``rejected`` with its index in the batch,
    a stable code and the reason; the other readings are stored. ``duplicates`` counts readings
    already stored with the same value, so a repeated batch reports them all as duplicates.
    """
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    items = [reading.model_dump() for reading in payload.readings]
    rows: list[MemoryRow] = []
    problems: list[RowProblem] = []
    for index, item in enumerate(items):
        parsed = parse_reading(index, item)
        if isinstance(parsed, RowProblem):
            problems.append(parsed)
        else:
            rows.append(parsed)

    rows_request = RowsRequest(
        site=token.site,
        source_name=f"API token {token.prefix}… {token.name}",
        replace_conflicts=payload.replace_conflicts,
        conflict_hint=_(
            'Send the batch with "replace_conflicts": true to overwrite it (the old value is kept in the history).'
        ),
        keep_all_rejections=True,
    )
    try:
        report = store_rows(rows_request, rows, batch_sha256({"readings": items}))
    except IntegrityError as error:
        # Another writer (MQTT, Modbus, a parallel request) stored a reading of the same meter meanwhile.
        logger.warning("readings batch of token %s hit a concurrent write: %s", token.prefix, error)
        raise ApiError(
            "concurrent_write",
            _("Another source stored readings of the same meter meanwhile; send the batch again."),
            409,
        ) from error
    mark_used(token)

    for rejection in report["rejected_sample"]:
        index = rejection["row"]
        item = items[index] if 0 <= index < len(items) else {}
        problems.append(
            RowProblem(
                index,
                str(item.get("meter", "")),
                str(item.get("timestamp", "")),
                rejection["code"],
                rejection["message"],
            )
        )
    problems.sort(key=lambda problem: problem.index)
    _keep_rejections(token, items, problems)

    rejected_indexes = {problem.index for problem in problems}
    return BatchOut(
        inserted=report["inserted"],
        duplicates=report["duplicates_identical"],
        conflicts=report["conflicts_rejected"] + report["conflicts_in_file"],
        replaced=report["conflicts_replaced"],
        accepted=[index for index in range(len(items)) if index not in rejected_indexes],
        rejected=[RejectedRowOut(**problem.__dict__) for problem in problems],
        batch=report["batch"],
    )


def _keep_rejections(token: ApiToken, items: list[dict[str, Any]], problems: list[RowProblem]) -> None:
    RejectedMessage.objects.bulk_create(
        RejectedMessage(
            site=token.site,
            source=CollectionSource.HTTP,
            origin=f"{token.name} ({token.prefix}…) #{problem.index + 1}",
            payload=json.dumps(items[problem.index], ensure_ascii=False)[:PAYLOAD_KEPT]
            if problem.index < len(items)
            else "",
            code=problem.code,
            message=problem.message,
        )
        for problem in problems[:REJECTIONS_KEPT_PER_BATCH]
    )


def keep_unparsable_body(request: HttpRequest) -> None:
    """Keep a body that is not JSON, sent with a valid token, as a rejected message of the token's site."""
    token = getattr(request, "auth", None)
    if not isinstance(token, ApiToken):
        return
    logger.info("readings batch of token %s is not valid JSON", token.prefix)
    RejectedMessage.objects.create(
        site=token.site,
        source=CollectionSource.HTTP,
        origin=f"{token.name} ({token.prefix}…)",
        payload=request.body[:PAYLOAD_KEPT].decode("utf-8", errors="replace"),
        code="invalid_json",
        message=_("The request body is not valid JSON; nothing of it was stored."),
    )

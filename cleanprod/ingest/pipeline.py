"""The import pipeline for meter readings: one path behind the upload page and `cleanprod import`.

parse (streamed, formats decided per file) → map columns to meters → localise and convert →
collapse duplicates → compare with stored readings → write new readings with their derived
consumption → recompute what late or replaced readings touch. Everything runs in one
transaction: all valid rows are stored or none, and a dry run rolls the same work back, so
its counts are exactly those of the real import.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cleanprod.metering import store
from cleanprod.metering.models import BatchKind, ImportBatch, Meter, Reading, ReadingChange
from cleanprod.metering.services import (
    AppendState,
    BucketCache,
    MeterProfile,
    WriteBuffer,
    aggregate_rollups_in_database,
    rebuild_window,
)
from cleanprod.metering.signals import readings_stored
from cleanprod.organization.models import Site
from cleanprod.resources.units import UnitError, conversion_factor

from .parsing import (
    FileOptions,
    InvalidValueError,
    LongLayout,
    ParsedRow,
    ParseError,
    TimestampLocalizer,
    WideLayout,
    open_table,
)

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[dict[str, Any]], None]
SAMPLE_SIZE = 100


@dataclass
class ImportRequest:
    site: Site
    path: Path
    layout: LongLayout | WideLayout
    options: FileOptions = field(default_factory=FileOptions)
    dry_run: bool = True
    replace_conflicts: bool = False
    user: User | None = None
    source_name: str = ""
    rejected_path: Path | None = None  # CSV of every rejected value; none written when None
    progress: ProgressCallback | None = None


# One reading held in memory: (row number, meter code, timestamp, value, unit or None).
# A naive timestamp is in the site's local time, as in a file.
MemoryRow = tuple[int, str, datetime, float | None, str | None]


@dataclass
class RowsRequest:
    """Readings that arrive in memory (HTTP, MQTT, Modbus) rather than in a file.

    ``conflict_hint`` ends the message of a rejected conflicting value with what the sender can
    do, because the file import's advice (tick "replace conflicting values") fits only the upload page.
    """

    site: Site
    source_name: str
    dry_run: bool = False
    replace_conflicts: bool = False
    user: User | None = None
    conflict_hint: str = ""
    keep_all_rejections: bool = False


@dataclass
class MeterCounts:
    inserted: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def add(self, count: int, first: datetime, last: datetime) -> None:
        self.inserted += count
        if self.first is None or first < self.first:
            self.first = first
        if self.last is None or last > self.last:
            self.last = last


class Rejections:
    """Every rejected value goes to the CSV file; the report keeps counts and a sample."""

    def __init__(self, path: Path | None, sample_size: int | None = SAMPLE_SIZE) -> None:
        self.count = 0
        self.sample_size = sample_size
        self.by_code: dict[str, int] = defaultdict(int)
        self.sample: list[dict[str, Any]] = []
        self._file: TextIO | None = None
        self._writer: Any = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("w", newline="", encoding="utf-8-sig")
            self._writer = csv.writer(self._file)
            self._writer.writerow([_("row"), _("column"), _("value"), _("code"), _("reason")])

    def add(self, row: int, column: str, value: str, code: str, message: str) -> None:
        self.count += 1
        self.by_code[code] += 1
        if self.sample_size is None or len(self.sample) < self.sample_size:
            self.sample.append({"row": row, "column": column, "value": value, "code": code, "message": message})
        if self._writer is not None:
            self._writer.writerow([row, column, value, code, message])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


# One value of a chunk, keyed elsewhere by meter and UTC timestamp: value in the meter's
# unit, row number in the file, and the column (meter code) it came from. A plain tuple,
# because an import creates one per value.
Entry = tuple[float, int, str]
Chunk = dict[int, dict[datetime, Entry]]


class Importer:
    """One run of the pipeline: on a file (ImportRequest, `run`) or on rows in memory (RowsRequest, `run_rows`)."""

    def __init__(self, request: ImportRequest | RowsRequest) -> None:
        self.request = request
        self.site = request.site
        self.meters = {
            meter.code: meter for meter in Meter.objects.filter(site=request.site).select_related("resource", "site")
        }
        if isinstance(request, ImportRequest):
            self.rejections = Rejections(request.rejected_path)
            self.long_layout = isinstance(request.layout, LongLayout)
        else:
            self.rejections = Rejections(None, None if request.keep_all_rejections else SAMPLE_SIZE)
            self.long_layout = True
        # Collected readings (RowsRequest) come from a device clock that may be wrong, so one dated in the
        # future is rejected. A file import is previewed by a person and keeps such rows, e.g. planned values.
        self.latest_allowed: datetime | None = None
        if isinstance(request, RowsRequest):
            tolerance = timedelta(minutes=settings.CLEANPROD_FUTURE_TOLERANCE_MINUTES)
            self.latest_allowed = datetime.now(UTC) + tolerance
        self.localizer = TimestampLocalizer(request.site.zone)
        self.profiles: dict[int, MeterProfile] = {}
        self.bucket_cache = BucketCache()
        self.buffer = WriteBuffer()
        self.closed_states: list[AppendState] = []
        self.append_states: dict[int, AppendState] = {}
        self.stored_last: dict[int, datetime | None] = {}
        self.rebuild: dict[int, tuple[datetime, datetime]] = {}
        self.counts: dict[int, MeterCounts] = defaultdict(MeterCounts)
        self.unit_factors: dict[tuple[str, str], float | UnitError] = {}
        self.totals = {
            "duplicates_identical": 0,
            "conflicts_in_file": 0,
            "conflicts_rejected": 0,
            "conflicts_replaced": 0,
            "missing_values": 0,
        }
        self.batch: ImportBatch | None = None

    # -- driver -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        request = self.request
        assert isinstance(request, ImportRequest), "run() imports a file; rows in memory go through run_rows()"
        path = request.path
        sha256 = file_sha256(path)
        total_rows = count_lines(path)

        def consume(report: dict[str, Any]) -> None:
            with open_table(path, request.layout, request.options) as table:
                report.update(table.report.as_dict())
                if table.report.unmapped_columns:
                    # A column the mapping does not mention is never dropped silently.
                    raise ParseError(
                        "unmapped_columns",
                        gettext_lazy(
                            "Columns %(columns)s are neither mapped to a meter nor listed as ignored; "
                            "map them to meter codes or add them to the ignored columns."
                        ),
                        columns=", ".join(table.report.unmapped_columns),
                    )
                self._consume(table, total_rows)
                report.update(table.report.as_dict())

        return self._run(sha256, request.source_name or path.name, consume, keep_empty_batch=True)

    def run_rows(self, rows: Iterable[MemoryRow], sha256: str = "") -> dict[str, Any]:
        """Store readings held in memory with the same arithmetic, duplicate and conflict rules as a file.

        ``sha256`` identifies the batch's content (for provenance and "already imported"). A batch
        that stores and replaces nothing, such as a repeated one, leaves no ImportBatch behind.
        """
        assert isinstance(self.request, RowsRequest), "run_rows() takes a RowsRequest"

        def parsed() -> Iterator[ParsedRow]:
            for row_number, code, stamp, value, unit in rows:
                yield ParsedRow(row_number, stamp, [(code, value, unit or None)], [])

        def consume(report: dict[str, Any]) -> None:
            self._consume(parsed(), 0)

        return self._run(sha256, self.request.source_name, consume, keep_empty_batch=False)

    def _run(
        self, sha256: str, source_name: str, consume: Callable[[dict[str, Any]], None], *, keep_empty_batch: bool
    ) -> dict[str, Any]:
        request = self.request
        already: list[dict[str, Any]] = []
        if sha256:
            already = [
                {"pk": pk, "created_at": created_at}
                for pk, created_at in ImportBatch.objects.filter(site=self.site, sha256=sha256, kind=BatchKind.READINGS)
                .order_by("created_at")
                .values_list("pk", "created_at")
            ]
        report: dict[str, Any] = {"dry_run": request.dry_run, "sha256": sha256}
        try:
            with transaction.atomic():
                self.batch = ImportBatch.objects.create(
                    site=self.site,
                    kind=BatchKind.READINGS,
                    source_name=source_name[:300],
                    sha256=sha256,
                    created_by=request.user if request.user and request.user.is_authenticated else None,
                )
                consume(report)
                self._finish()
                inserted = sum(counts.inserted for counts in self.counts.values())
                self.batch.rows_inserted = inserted
                self.batch.rows_replaced = self.totals["conflicts_replaced"]
                self.batch.save(update_fields=["rows_inserted", "rows_replaced"])
                report.update(self._summary(inserted, already))
                if request.dry_run:
                    transaction.set_rollback(True)
                    report["batch"] = None
                elif not keep_empty_batch and not self.counts and not self.rebuild:
                    # Nothing refers to a batch that stored and replaced nothing.
                    self.batch.delete()
                    report["batch"] = None
                else:
                    report["batch"] = self.batch.pk
                    self._announce()
        finally:
            self.rejections.close()
        return report

    def _consume(self, table: Iterable[ParsedRow], total_rows: int) -> None:
        chunk: Chunk = defaultdict(dict)
        chunk_values = 0
        chunk_size = settings.CLEANPROD_IMPORT_CHUNK_ROWS
        rows_read = 0
        # Meters that take values as they are, without unit conversion or rejection.
        plain = {meter.code: (meter.pk, meter.unit) for meter in self.meters.values() if not meter.is_virtual}
        for row in table:
            rows_read += 1
            for issue in row.issues:
                self.rejections.add(issue.row_number, issue.column, issue.value, issue.code, str(issue.message))
            if row.timestamp is None:
                continue
            series_key = row.values[0][0] if self.long_layout and row.values else None
            try:
                stamp = self._utc(row.timestamp, series_key)
            except InvalidValueError as error:
                issue = error.to_issue(row.row_number, "", row.timestamp.isoformat(sep=" "))
                self.rejections.add(issue.row_number, issue.column, issue.value, issue.code, str(issue.message))
                continue
            if self.latest_allowed is not None and stamp > self.latest_allowed:
                self._reject_future(row, stamp)
                continue
            row_number = row.row_number
            for code, value, unit in row.values:
                if value is None:
                    self.totals["missing_values"] += 1
                    continue
                target = plain.get(code)
                if target is not None and (not unit or unit == target[1]):
                    meter_id = target[0]
                else:
                    converted = self._convert(row_number, code, value, unit)
                    if converted is None:
                        continue
                    meter_id, value = converted
                series = chunk[meter_id]
                earlier = series.get(stamp)
                if earlier is not None:
                    if earlier[0] == value:
                        self.totals["duplicates_identical"] += 1
                        continue
                    # Two values for one timestamp in one file: the later row wins and the
                    # disagreement is kept as a finding for review.
                    self._in_file_conflict(meter_id, stamp, earlier, (value, row_number, code))
                series[stamp] = (value, row_number, code)
                chunk_values += 1
            if chunk_values >= chunk_size:
                self._process(chunk)
                chunk = defaultdict(dict)
                chunk_values = 0
                self._progress("reading", rows_read, total_rows)
        if chunk:
            self._process(chunk)
        self._progress("recomputing", rows_read, total_rows)

    def _reject_future(self, row: ParsedRow, stamp: datetime) -> None:
        code = row.values[0][0] if row.values else ""
        local = stamp.astimezone(self.site.zone)
        self.rejections.add(
            row.row_number,
            code,
            local.isoformat(),
            "future_timestamp",
            _(
                "The reading of meter %(code)s at %(stamp)s is more than %(minutes)d minutes after the server "
                "time (%(now)s); check the device clock and its time zone setting, then send it again."
            )
            % {
                "code": code,
                "stamp": local.strftime("%Y-%m-%d %H:%M %z"),
                "minutes": settings.CLEANPROD_FUTURE_TOLERANCE_MINUTES,
                "now": datetime.now(UTC).astimezone(self.site.zone).strftime("%Y-%m-%d %H:%M %z"),
            },
        )

    def _utc(self, stamp: datetime, series: str | None) -> datetime:
        if stamp.tzinfo is None:
            return self.localizer.localize(stamp, series).astimezone(UTC)
        return stamp.astimezone(UTC)

    def _convert(self, row: int, code: str, value: float, unit: str | None) -> tuple[int, float] | None:
        """Return (meter id, value in the meter's unit), or None after recording why the value is rejected."""
        meter = self.meters.get(code)
        if meter is None:
            self.rejections.add(
                row,
                code,
                str(value),
                "unknown_meter",
                (
                    _(
                        "No meter with code %(code)s exists at site %(site)s; "
                        "create the meter or map the column to an existing code."
                    )
                    if isinstance(self.request, ImportRequest)
                    else _(
                        "No meter with code %(code)s exists at site %(site)s, the site of this token or "
                        "subscription; send the code of one of its meters, or create the meter on its meters page."
                    )
                )
                % {"code": code, "site": self.site.name},
            )
            return None
        if meter.is_virtual:
            self.rejections.add(
                row,
                code,
                str(value),
                "virtual_meter",
                _("Meter %(code)s is virtual and is computed from other meters; it takes no readings.")
                % {"code": code},
            )
            return None
        if unit and unit != meter.unit:
            factor = self._unit_factor(unit, meter.unit)
            if isinstance(factor, UnitError):
                self.rejections.add(row, code, f"{value} {unit}", factor.code, factor.message)
                return None
            value *= factor
        return meter.pk, value

    def _unit_factor(self, source: str, target: str) -> float | UnitError:
        key = (source, target)
        if key not in self.unit_factors:
            try:
                self.unit_factors[key] = conversion_factor(source, target)
            except UnitError as error:
                self.unit_factors[key] = error
        return self.unit_factors[key]

    def _progress(self, phase: str, rows_read: int, total_rows: int) -> None:
        if not isinstance(self.request, ImportRequest) or self.request.progress is None:
            return
        percent = min(99.0, 100.0 * rows_read / total_rows) if total_rows else 0.0
        self.request.progress(
            {"phase": phase, "rows_read": rows_read, "total_rows": total_rows, "percent": round(percent, 1)}
        )

    # -- one chunk ----------------------------------------------------------------------

    def _process(self, chunk: Chunk) -> None:
        for meter_id, series in chunk.items():
            self._process_meter(meter_id, series)
        self.buffer.flush()

    def _in_file_conflict(self, meter_id: int, stamp: datetime, discarded: Entry, kept: Entry) -> None:
        """Record a value the file itself overrides: as a rejected value and as a finding for review."""
        self.totals["conflicts_in_file"] += 1
        evidence = {"discarded": discarded[0], "kept": kept[0], "rows": f"{discarded[1]}, {kept[1]}"}
        store.insert_findings([(meter_id, stamp, "import.conflict", evidence, True)])
        params = {"later": kept[1], "kept": _number_text(kept[0]), "code": kept[2], "time": self._local(stamp)}
        if isinstance(self.request, RowsRequest):
            message = _(
                "A later reading of the same batch gives %(kept)s for %(code)s at %(time)s and is kept instead; "
                "if the later value is wrong, send the right value again."
            )
        else:
            message = _(
                "Row %(later)d of the same file gives %(kept)s for %(code)s at %(time)s, and the later row is kept; "
                "if the later value is right nothing needs to change, otherwise correct the file and import it again."
            )
        self.rejections.add(
            discarded[1], discarded[2], _number_text(discarded[0]), "conflict_in_file", message % params
        )

    def _local(self, stamp: datetime) -> str:
        """Format an instant in the site's time, as the file and the user write it."""
        return stamp.astimezone(self.site.zone).strftime("%Y-%m-%d %H:%M:%S")

    def _process_meter(self, meter_id: int, series: dict[datetime, Entry]) -> None:
        """Store one meter's values of a chunk: streamed when they follow the stored ones, else rebuilt."""
        if meter_id not in self.stored_last:
            self.stored_last[meter_id] = (
                Reading.objects.filter(meter_id=meter_id)
                .order_by("-timestamp")
                .values_list("timestamp", flat=True)
                .first()
            )
        stored_last = self.stored_last[meter_id]

        first = min(series)
        last = max(series)
        new = series
        if stored_last is not None and first <= stored_last:
            # Readings still waiting in the streaming state must be in the table before
            # the comparison, or a duplicate of one would be inserted twice.
            self._close_append(meter_id)
            new = self._compare_with_stored(meter_id, series, first, last)
        if not new:
            return

        profile = self._profile(meter_id)
        appendable = meter_id not in self.rebuild and (stored_last is None or min(new) > stored_last)
        if appendable:
            state = self.append_states.get(meter_id)
            if state is None:
                state = self.append_states[meter_id] = AppendState.start(
                    profile, self.batch.pk if self.batch else None, self.buffer, self.bucket_cache
                )
            state.feed([(stamp, entry[0]) for stamp, entry in sorted(new.items())])
        else:
            self._close_append(meter_id)
            store.insert_readings(
                [
                    (meter_id, stamp, entry[0], 0, self.batch.pk if self.batch else None, None, None, None, "")
                    for stamp, entry in sorted(new.items())
                ]
            )
            self._mark_rebuild(meter_id, min(new), max(new))

        self.counts[meter_id].add(len(new), min(new), max(new))
        newest = max(new)
        if stored_last is None or newest > stored_last:
            self.stored_last[meter_id] = newest

    def _compare_with_stored(
        self, meter_id: int, series: dict[datetime, Entry], first: datetime, last: datetime
    ) -> dict[datetime, Entry]:
        stored = {
            stamp.astimezone(UTC): (pk, value, batch_id)
            for pk, stamp, value, batch_id in Reading.objects.filter(
                meter_id=meter_id, timestamp__gte=first, timestamp__lte=last
            ).values_list("pk", "timestamp", "value", "batch_id")
        }
        new: dict[datetime, Entry] = {}
        for stamp, entry in series.items():
            existing = stored.get(stamp)
            if existing is None:
                new[stamp] = entry
                continue
            pk, value, batch_id = existing
            incoming, row_number, column = entry
            if value == incoming:
                self.totals["duplicates_identical"] += 1
                continue
            same_file = self.batch is not None and batch_id == self.batch.pk
            if same_file:
                # The stored value came from an earlier chunk of this file, whose row number is not
                # kept. The later row wins, and the rejected line points at it.
                self._in_file_conflict(meter_id, stamp, (value, row_number, column), entry)
                self._replace(pk, meter_id, stamp, value, incoming, record=False)
            elif self.request.replace_conflicts:
                self.totals["conflicts_replaced"] += 1
                self._replace(pk, meter_id, stamp, value, incoming, record=True)
            else:
                self.totals["conflicts_rejected"] += 1
                self.rejections.add(
                    row_number, column, _number_text(incoming), "conflict", self._conflict_message(value, column, stamp)
                )
        return new

    def _conflict_message(self, stored: float, code: str, stamp: datetime) -> str:
        params = {"stored": _number_text(stored), "code": code, "time": self._local(stamp)}
        if isinstance(self.request, RowsRequest) and self.request.conflict_hint:
            return (
                _("A reading of %(stored)s is already stored for %(code)s at %(time)s.") % params
                + " "
                + self.request.conflict_hint
            )
        return (
            _(
                "A reading of %(stored)s is already stored for %(code)s at %(time)s; choose "
                "“replace conflicting values” to overwrite it (the old value is kept in the history)."
            )
            % params
        )

    def _replace(self, pk: int, meter_id: int, stamp: datetime, old: float, new: float, *, record: bool) -> None:
        Reading.objects.filter(pk=pk).update(value=new, batch=self.batch)
        if record:
            user = self.request.user if self.request.user and self.request.user.is_authenticated else None
            ReadingChange.objects.create(
                meter_id=meter_id, timestamp=stamp, old_value=old, new_value=new, batch=self.batch, changed_by=user
            )
        self._close_append(meter_id)
        self._mark_rebuild(meter_id, stamp, stamp)

    def _mark_rebuild(self, meter_id: int, start: datetime, end: datetime) -> None:
        current = self.rebuild.get(meter_id)
        if current is not None:
            start, end = min(start, current[0]), max(end, current[1])
        self.rebuild[meter_id] = (start, end)

    def _close_append(self, meter_id: int) -> None:
        state = self.append_states.pop(meter_id, None)
        if state is not None:
            state.close()
            self._retire(state)
            # Written now, because the caller reads the meter's stored readings next.
            self.buffer.flush()

    def _retire(self, state: AppendState) -> None:
        """Keep a closed state whose rows still need rollups: from the database, or by a rebuild."""
        if state.lean_span is None:
            return
        if state.lean_broken:
            self._mark_rebuild(state.profile.meter_id, *state.lean_span)
        else:
            self.closed_states.append(state)

    def _profile(self, meter_id: int) -> MeterProfile:
        profile = self.profiles.get(meter_id)
        if profile is None:
            meter = next(meter for meter in self.meters.values() if meter.pk == meter_id)
            profile = self.profiles[meter_id] = MeterProfile.of(meter)
        return profile

    # -- end ----------------------------------------------------------------------------

    def _finish(self) -> None:
        for state in self.append_states.values():
            state.close()
            self._retire(state)
        self.append_states.clear()
        self.buffer.flush()
        if self.batch is not None:
            aggregate_rollups_in_database(self.batch.pk, self.closed_states)
        for meter_id, (start, end) in self.rebuild.items():
            meter = next(meter for meter in self.meters.values() if meter.pk == meter_id)
            rebuild_window(meter, start, end)

    def _announce(self) -> None:
        spans: dict[int, tuple[datetime, datetime]] = {
            meter_id: (counts.first, counts.last)
            for meter_id, counts in self.counts.items()
            if counts.first is not None and counts.last is not None
        }
        for meter_id, (start, end) in self.rebuild.items():
            first, last = spans.get(meter_id, (start, end))
            spans[meter_id] = (min(first, start), max(last, end))
        if spans:
            site_id = self.site.pk
            transaction.on_commit(lambda: readings_stored.send(sender=Importer, site_id=site_id, spans=spans))

    def _summary(self, inserted: int, already: list[dict[str, Any]]) -> dict[str, Any]:
        by_id = {meter.pk: meter for meter in self.meters.values()}
        meters = [
            {
                "code": by_id[meter_id].code,
                "name": by_id[meter_id].name,
                "inserted": counts.inserted,
                "first": counts.first.isoformat() if counts.first else None,
                "last": counts.last.isoformat() if counts.last else None,
            }
            for meter_id, counts in sorted(self.counts.items(), key=lambda item: by_id[item[0]].code)
        ]
        return {
            "inserted": inserted,
            **self.totals,
            "rejected": self.rejections.count,
            "rejected_by_code": dict(self.rejections.by_code),
            "rejected_sample": self.rejections.sample,
            "meters": meters,
            "already_imported": [
                {"batch": item["pk"], "created_at": item["created_at"].isoformat()} for item in already
            ],
        }


def import_readings(request: ImportRequest) -> dict[str, Any]:
    """Run the pipeline; raise ParseError for problems with the whole file."""
    logger.info("import started: site=%s file=%s dry_run=%s", request.site.pk, request.path.name, request.dry_run)
    report = Importer(request).run()
    logger.info(
        "import finished: site=%s file=%s inserted=%s rejected=%s",
        request.site.pk,
        request.path.name,
        report.get("inserted"),
        report.get("rejected"),
    )
    return report


def _number_text(value: float) -> str:
    """Write a value as the file most likely did: 999 rather than 999.0."""
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    """Count data rows for the progress bar (lines for text files, rows for workbooks)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        import zipfile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(path, read_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
            return 0  # the parser reports what is wrong with the workbook
        try:
            return int(workbook.worksheets[0].max_row or 0)
        finally:
            workbook.close()
    lines = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


def store_rows(request: RowsRequest, rows: Iterable[MemoryRow], sha256: str = "") -> dict[str, Any]:
    """Run the pipeline on readings held in memory, in one transaction; return the import report."""
    report = Importer(request).run_rows(rows, sha256)
    logger.info(
        "rows stored: site=%s source=%s inserted=%s duplicates=%s rejected=%s",
        request.site.pk,
        request.source_name,
        report.get("inserted"),
        report.get("duplicates_identical"),
        report.get("rejected"),
    )
    return report


__all__ = ["ImportRequest", "MemoryRow", "ParseError", "RowsRequest", "import_readings", "store_rows"]

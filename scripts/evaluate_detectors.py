"""Evaluate the alert detectors on real series and on the same series with injected faults.

Series:
- steel: 15-minute electricity (Usage_kWh) of DAEWOO Steel, 2018 (UCI 851, CC BY 4.0,
  cleanprod/demo/data/steel_industry/SOURCE.md); related meter: lagging reactive energy.
  Working calendar: the plant's shifts read from its load profile, Monday–Friday 08:00–21:00,
  Saturday 08:00–17:00, without Chinese holidays (a Korean plant).
- gas turbine: hourly turbine energy yield (TEY, MWh) of one gas turbine, 2011–2015
  (UCI 551, CC BY 4.0, /work/shared/data/gas_turbine_emissions/SOURCE.md, read in place);
  related meter: compressor discharge pressure (CDP). The files have no timestamps, so
  hourly timestamps are synthesised: each year's rows are consecutive hours from
  1 January 00:00. Off-hours running is not injected: the turbine runs around the clock.

    .venv/bin/python scripts/evaluate_detectors.py [--count 20] [--seed 2036] [--more-seeds 9]
        [--output docs/alert_evaluation.md]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleanprod.alerts import evaluation  # noqa: E402
from cleanprod.alerts.evaluation import Series  # noqa: E402
from cleanprod.alerts.workcalendar import CalendarSpec  # noqa: E402

STEEL = ROOT / "cleanprod/demo/data/steel_industry/Steel_industry_data.csv"
GAS_TURBINE = Path("/work/shared/data/gas_turbine_emissions")


def steel_series(limit_days: int | None = None) -> Series:
    readings, related = [], []
    with STEEL.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.strptime(row["date"], "%d/%m/%Y %H:%M").replace(tzinfo=UTC)
            if stamp.hour == 0 and stamp.minute == 0:
                # Midnight rows carry the date of the day they end (SOURCE.md, quirk 1).
                stamp += timedelta(days=1)
            readings.append((stamp, float(row["Usage_kWh"])))
            related.append((stamp, float(row["Lagging_Current_Reactive.Power_kVarh"])))
    readings.sort()
    related.sort()
    if limit_days is not None:
        end = readings[0][0] + timedelta(days=limit_days)
        readings = [item for item in readings if item[0] <= end]
        related = [item for item in related if item[0] <= end]
    # The plant's shifts as its load profile shows them (median hourly load by weekday and
    # hour): Monday–Friday 08:00–21:00, Saturday 08:00–17:00, Sunday off.
    weekday_shift = ((time(8), time(21)),)
    calendar = CalendarSpec(
        shifts={**dict.fromkeys(range(5), weekday_shift), 5: ((time(8), time(17)),)}, official_holidays=False
    )
    return Series("steel", timedelta(minutes=15), readings, related, calendar)


def gas_turbine_series(years: range = range(2011, 2016), limit_days: int | None = None) -> list[Series]:
    result = []
    for year in years:
        readings, related = [], []
        with (GAS_TURBINE / f"gt_{year}.csv").open(newline="") as handle:
            for index, row in enumerate(csv.DictReader(handle)):
                stamp = datetime(year, 1, 1, tzinfo=UTC) + timedelta(hours=index + 1)
                readings.append((stamp, float(row["TEY"])))
                related.append((stamp, float(row["CDP"])))
        if limit_days is not None:
            readings, related = readings[: limit_days * 24], related[: limit_days * 24]
        result.append(Series(f"gas turbine {year}", timedelta(hours=1), readings, related))
    return result


METHOD = [
    "## Method",
    "",
    "- Series: steel = 15-minute electricity of DAEWOO Steel, 2018 (UCI 851, CC BY 4.0), with lagging reactive "
    "energy as the related meter; gas turbine 2011–2015 = hourly energy yield (TEY) of one turbine (UCI 551, "
    "CC BY 4.0), with compressor discharge pressure as the related meter. **The gas turbine files have no "
    "timestamps: hourly timestamps were synthesised**, each year's rows as consecutive hours from 1 January.",
    "- Each fault kind is injected into its own copy of each series at seeded random positions, at most one "
    "per two-week block after a four-week baseline. Off-hours running is injected only into the steel series "
    "(the turbine runs around the clock), with the plant's shifts as its load profile shows them "
    "(Monday–Friday 08:00–21:00, Saturday 08:00–17:00).",
    "- Off-hours running is injected only on nights when the plant was idle. A night (21:00–06:00) is used "
    "only when every hour of it is outside the shifts and the original series stays at or below the rest "
    "limit: midway between the median hourly consumption outside and inside working time (steel: "
    "(13.6 + 218.6) / 2 = 116 kWh). A busy night is replaced by the next idle night of its block. Before this "
    "rule, nights were picked by the calendar alone, and 3 of the 20 steel nights of seed 2025 fell on hours "
    "when the plant was running: 21 Feb (21:00–01:00 at 243–321 kWh per hour, 1,374 kWh in the night, 2,290 kWh after "
    "injection), 9 Apr (294 and 119 kWh at 21:00–23:00) and 23 Oct (130, 303 and 61 kWh at 21:00–00:00). "
    "The rule moved them to 25 Feb, 10 Apr and 24 Oct, at rest (148, 137 and 117 kWh in the night, 1,933 kWh after "
    "injection). The rule and its limit were set from the series alone and not tuned on detector output, "
    "but they were written after the misses of the earlier run were known. A stricter rule, every hour below "
    "the 0.9 quantile of rest hours (24 kWh), would also have dropped the idle night of 5 Mar (19–43 kWh per "
    "hour), a real miss, so it was not used.",
    "- Findings of one cause that touch are merged into events. An event is true when it overlaps an injected "
    "window (± one interval). *Natural events* are events outside every injected window that also occur on the "
    "clean series: real anomalies of the data (Sunday production runs, holidays, load changes of the turbine) "
    "that the labels do not know. *precision* counts them as false; *precision without natural events* "
    "leaves them out and judges only what the injection changed.",
    "- First tuning, done on a separate run (seed 1, 10 faults per kind) before the first final run: the "
    "statistical threshold went from 5 to 7 robust standard deviations; CUSUM slack from 0.5 to 1.0 and h from 8 "
    "to 15, and CUSUM reports once per excursion; the steel calendar was set from the load profile instead of "
    "08:00–17:00; the spike size went from the median hourly consumption to the 95th percentile. After that "
    "run the off-hours window moved from 20:00 to 21:00 (with shifts until 21:00 only 3 of 20 nights "
    "qualified); no detector parameter changed.",
    "- Second tuning, again on seed 1 only (10 faults per kind; spike on all six series, off-hours on steel), "
    "scoring recall, plain precision and the clean-series alert rate; the fault injection did not change. "
    "Statistical detector, tried: baseline slot hour of week vs. (kind of day from the working calendar, hour); "
    "4, 8 or 12 weeks of history; pooling the neighbouring hours (±1 h) of a slot; threshold 7, 8, 10, 12, 15 "
    "or 20; MAD floor 5 %, 10 % or 20 % of the slot median; MAD floor 0, 5, 10, 15 or 20 % of the history's "
    "mean; a peak limit of 1.0, 1.1 or 1.2 × the history's maximum or 99th / 99.9th percentile. Kept: kind of "
    "day and hour, 8 weeks, threshold 10, floor 5 % of the slot median and 10 % of the mean, peak limit 1.1 × "
    "the 99th percentile. Pooling neighbouring hours was dropped (no gain; it blurs the lunch break); the "
    "maximum as peak was dropped, because an earlier spike in the history raised the limit. A floor of 15 % "
    "had fewer clean alerts on seed 1 but 20 % already lost a spike, so 10 % was kept for margin. Off-hours, "
    "tried: baseload median + 4 MAD vs. the 0.8, 0.9, 0.95 or 0.99 quantile of rest hours, 4 or 8 weeks, "
    "margin 0, 10, 25, 50 or 100 %, minimum run 1–6 hours. Kept: 0.9 quantile of 4 weeks, margin 10 %, "
    "at least 6 successive hours, until the third design below. A final run (seed 2025) was then made once "
    "with these values fixed.",
    "- Off-hours detector, third design. With the second tuning's detector the final run (seed 2025) found 17 "
    "of 20 nights. Its limit was the 0.9 quantile of four weeks of rest hours + 10 %, and in January–March the "
    "plant's own shifts running past 21:00 put hours at production level into that history. The limit rose to "
    "208, 185 and 222 kWh in the weeks of 5 Feb, 19 Feb and 5 Mar, about the 215 kWh per hour injected, and "
    "the idle nights of 11 Feb and 5 Mar were missed. The Sunday nights of 11 and 25 Feb also crossed Monday "
    "00:00, where the evaluation started a new week, so neither part reached the 6 hours a run needs.",
    "- Two changes followed. First, the baseload was taken from idle rest hours only: a rest hour above the "
    "midpoint between the rest level and the median working hour counts as production, not as baseload. The "
    "split applies only where working hours draw at least twice the rest level. Second, the evaluation checks "
    "runs across week boundaries as the alert rule does: the hours checked begin 6 hours before the week.",
    "- Tuning of the third design, again on seed 1 only (20 faults): quantile 0.9, 0.95 or 0.99 of the idle "
    "hours, margin 10, 25, 50 or 100 %, minimum run 4 or 6 hours. A minimum of 4 hours gave 13–35 events a "
    "year on the clean series (shifts running over), 6 hours gave 1–5. With 6 hours, margins of 50 % and "
    "more lost the night of 10 Feb, whose limit is high because Sunday maintenance in January draws 40–160 kWh "
    "per hour. Kept: the 0.95 quantile, a margin of 25 %, and at least 6 hours. With seeds 2026–2035, run once "
    "with these values, it found all 200 nights at precision 0.83.",
    "- Fourth design, after a user trial of the live rule. The trial found three faults. An alert started at "
    "the sixth hour of a run, because hours before the checked window were dropped. The learned limit "
    "included the earlier hours of the run still in progress. And an earlier night left running at a few "
    "times the idle level, below the production midpoint, counted as idle and lifted the 0.95 quantile. With "
    "seed 1, off-hours running at 5 × the idle level was found on 0.55 of the nights, because each fault "
    "lifted the limit for the next ones. Changes: a run whose earlier part was too short to report is "
    "reported whole, and the history ends a day before the checked window, in the rule and here. The baseload "
    "is now the median idle rest hour plus a number of robust standard deviations (1.4826 × MAD, at least 5 % "
    "of the median). The rest level of the split is the lower quartile of the rest hours, which stays at the "
    "idle level while up to three quarters of them are production.",
    "- Tuning of the fourth design on seed 1 only: 3, 4, 5, 6, 8 or 12 robust standard deviations, margin 0 or "
    "25 %. Each was scored on the standard fault and on loads of 3, 5, 7 and 10 × the idle reading. Kept: 5 standard "
    "deviations, no margin, at least 6 hours, in the middle of the settings (4–8) that found all 20 standard "
    "nights. 3 gave 9 events on the clean series instead of 5. At 3 × idle, 5 deviations found 0.85 of the "
    "nights (the 0.95 quantile: 0.30). The price is one more event on the clean series, 3 Feb 17:00–01:00, "
    "a Saturday shift that ran 8 hours over, so precision on the standard fault is 0.80 instead of 0.83. "
    "These values are the alert rule's defaults. A migration gives stored rules the spread in place of the "
    "quantile and keeps their margin.",
    "- Seeds 2036–2045 were not run before these values were fixed. The main tables below come from seed "
    "2036, and the last two tables repeat the target faults and lower off-hours loads with all ten seeds.",
    "- Spike size against the steel plant's variability: the injected spike adds 4 × 99.0 = 396 kWh to one "
    "hour. The clean series' hourly consumption in production hours has slot medians of about 150–290 kWh and "
    "a robust standard deviation of 33–207 kWh per hour-of-week slot (its highest hour of 2018: 564 kWh), so in "
    "production hours the spike is 2–12 robust standard deviations: a score threshold alone cannot separate "
    "it from the plant's own swings without also flagging them. On top of a production hour, however, it "
    "exceeds anything the plant drew in the weeks before, which the peak limit uses. In idle hours (median "
    "12–25 kWh) it is obvious.",
    "- Caveat: the seed changes only where faults are injected. The clean series, and so the clean-series "
    "alert rate, are the same in tuning and in the final run; that rate was tuned on, so it is not an "
    "out-of-sample figure. What the remaining clean-series events on the steel series are: production on "
    "Sundays (08:00–17:00, about twice a month in the second half of the year), weeks in January and February "
    "when the plant ran past 21:00 until about 01:00, and shifts ending an hour late. They are real departures "
    "from the calendar given to the detector; a site that enters its Sunday production days and its longer "
    "shifts in the working calendar would not see them.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20, help="faults of each kind per series")
    parser.add_argument("--seed", type=int, default=2036)
    parser.add_argument(
        "--more-seeds",
        type=int,
        default=9,
        help="number of further seeds, after --seed, that score the target faults again",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs/alert_evaluation.md")
    arguments = parser.parse_args()
    started = perf_counter()
    series = [steel_series(), *gas_turbine_series()]
    skip = {item.name: {"off_hours"} for item in series if item.name.startswith("gas turbine")}
    report = evaluation.evaluate(series, count=arguments.count, seed=arguments.seed, skip=skip)
    primary = {evaluation.PRIMARY[fault] for fault in evaluation.TARGET_FAULTS}
    reports = {arguments.seed: report}
    for seed in range(arguments.seed + 1, arguments.seed + 1 + arguments.more_seeds):
        reports[seed] = evaluation.evaluate(
            series, count=arguments.count, seed=seed, faults=evaluation.TARGET_FAULTS, skip=skip, only=primary
        )
    seeds = sorted(reports)
    notes = [
        f"Generated by `scripts/evaluate_detectors.py --count {arguments.count} --seed {arguments.seed} "
        f"--more-seeds {arguments.more_seeds}` in {perf_counter() - started:.0f} s. Detector code: "
        "`cleanprod/alerts/detectors.py`; injection and scoring: `cleanprod/alerts/evaluation.py` (its docstring "
        "defines each fault).",
        "",
        *METHOD,
    ]
    text = evaluation.markdown(report, title="Alert detector evaluation", notes=notes)
    if len(seeds) > 1:
        text += "\n".join(
            [
                "",
                f"## Target faults with seeds {seeds[0]}–{seeds[-1]}",
                "",
                f"The same detectors with the faults placed by {len(seeds)} seeds, none used in tuning. Each row pools "
                "all series; precision counts natural events as false.",
                "",
                *evaluation.seeds_markdown(reports),
                "",
            ]
        )
    steel = series[0]
    idle_hour = evaluation.rest_median_reading(steel) * 4
    text += "\n".join(
        [
            "",
            "## Off-hours running at lower loads",
            "",
            f"The same off-hours faults on the steel series with a smaller load left running: a multiple of the "
            f"median reading outside working time ({idle_hour:.1f} kWh per hour), instead of the median reading of "
            f"working hours. Seeds {seeds[0]}–{seeds[-1]} pooled. The earlier faults of this kind are below the "
            "production level, so they count as idle hours. They lifted a limit learned from a high quantile of the "
            "rest hours (recall 0.55 at 5 × idle with seed 1), while the median and MAD of the idle hours barely "
            "move.",
            "",
            *evaluation.off_hours_levels_markdown(steel, (2, 3, 5, 10), seeds, arguments.count),
            "",
        ]
    )
    arguments.output.write_text(text)
    print(text)


if __name__ == "__main__":
    main()

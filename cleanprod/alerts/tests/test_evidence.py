from django.utils import translation

from cleanprod.alerts.evidence import describe_slot, evidence_rows


def test_hour_of_week_slot_names_the_weekday_and_hour() -> None:
    assert describe_slot(0) == "Monday 00:00"
    assert describe_slot(6 * 24 + 14) == "Sunday 14:00"


def test_day_kind_slots_are_said_in_words() -> None:
    assert describe_slot("rest 9") == "rest day 09:00"
    assert describe_slot("holiday 23") == "official holiday 23:00"
    assert describe_slot("working 08:00-12:00 10") == "working day with shifts 08:00-12:00 10:00"


def test_day_kind_slot_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert describe_slot("working 14") == "工作日 14:00"


def test_rows_leave_out_the_main_numbers_and_label_the_rest() -> None:
    rows = evidence_rows(
        {"expected": 1.0, "actual": 2.0, "score": 9.0, "samples": 40, "partial": False, "mad": 0.123456}
    )
    assert rows == [
        ("median absolute deviation", "0.1235"),
        ("period incomplete", "no"),
        ("samples in the baseline", "40"),
    ]

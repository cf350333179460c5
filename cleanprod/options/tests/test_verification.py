"""Savings arithmetic of the before/after comparison, checked against numbers worked by hand."""

import pytest

from cleanprod.options.verification import Basis, VerificationError, WindowData, compare_windows


def test_intensity_basis_annualises_after_production():
    # Before: 90 000 kWh / 300 t = 300 kWh/t. After: 80 000 kWh / 320 t = 250 kWh/t.
    # Annual production = 320 t × 365 / 90 = 1297.78 t; saving = 50 × 1297.78 = 64 888.9 kWh.
    before = WindowData(days=90, days_with_data=90, consumption=90_000.0, production=300.0)
    after = WindowData(days=90, days_with_data=90, consumption=80_000.0, production=320.0)

    outcome = compare_windows(before, after, expected_annual_saving=100_000.0)

    assert outcome.basis == Basis.INTENSITY
    assert outcome.before_value == pytest.approx(300.0)
    assert outcome.after_value == pytest.approx(250.0)
    assert outcome.annual_production == pytest.approx(1297.7778, rel=1e-6)
    assert outcome.annual_saving == pytest.approx(64_888.889, rel=1e-6)
    assert outcome.achieved_percent == pytest.approx(64.888889, rel=1e-6)


def test_zero_production_falls_back_to_per_day():
    # After window: production zero (plant stopped), so intensity is undefined, not 0.
    # Per day: before 120 000 / 60 = 2000, after 8000 / 20 = 400; saving = 1600 × 365 = 584 000.
    before = WindowData(days=60, days_with_data=60, consumption=120_000.0, production=400.0)
    after = WindowData(days=30, days_with_data=20, consumption=8_000.0, production=0.0)

    outcome = compare_windows(before, after, expected_annual_saving=None)

    assert outcome.basis == Basis.PER_DAY
    assert outcome.before_value == pytest.approx(2000.0)
    assert outcome.after_value == pytest.approx(400.0)
    assert outcome.annual_saving == pytest.approx(584_000.0)
    assert outcome.annual_production is None
    assert outcome.achieved_percent is None
    assert outcome.missing_days_after == 10
    assert outcome.missing_days_before == 0


def test_no_production_record_falls_back_to_per_day():
    before = WindowData(days=10, days_with_data=10, consumption=1000.0, production=None)
    after = WindowData(days=10, days_with_data=10, consumption=1100.0, production=None)

    outcome = compare_windows(before, after, expected_annual_saving=500.0)

    assert outcome.basis == Basis.PER_DAY
    assert outcome.annual_saving == pytest.approx(-3650.0)
    assert outcome.achieved_percent == pytest.approx(-730.0)


def test_window_without_data_raises():
    empty = WindowData(days=90, days_with_data=0, consumption=0.0, production=None)
    full = WindowData(days=90, days_with_data=90, consumption=1.0, production=None)

    with pytest.raises(VerificationError, match="before window has no day with metered data"):
        compare_windows(empty, full, None)
    with pytest.raises(VerificationError, match="after window has no day with metered data"):
        compare_windows(full, empty, None)

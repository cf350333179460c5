"""Decoding Modbus registers: the word-order field case, all data types, and the mapping checks."""

import struct

import pytest

from cleanprod.ingest.collection.modbus_decode import (
    DecodeError,
    check_plausibility,
    decode_registers,
    decode_value,
)

# A 32-bit energy counter in Wh sent low word first (the word-order field case).
PAIR_A = [25714, 1]
PAIR_B = [40000, 0]


def test_low_first_uint32_field_case() -> None:
    assert decode_registers(PAIR_A, "uint32", "low_first") == 91_250
    assert decode_registers(PAIR_B, "uint32", "low_first") == 40_000


def test_scaled_to_kwh() -> None:
    assert decode_value(PAIR_A, "uint32", "low_first", 0.001)[1] == pytest.approx(91.25)
    assert decode_value(PAIR_B, "uint32", "low_first", 0.001)[1] == pytest.approx(40.0)


def test_wrong_word_order_decodes() -> None:
    assert decode_registers(PAIR_A, "uint32", "high_first") == 1_685_192_705
    assert decode_registers(PAIR_B, "uint32", "high_first") == 2_621_440_000
    assert decode_registers(PAIR_B, "int32", "high_first") == -1_673_527_296


def test_sixteen_bit_types() -> None:
    assert decode_registers([65535], "uint16", "high_first") == 65535
    assert decode_registers([65535], "int16", "high_first") == -1
    assert decode_registers([65535], "int16", "low_first") == -1


def test_float32_both_orders() -> None:
    high, low = struct.unpack(">HH", struct.pack(">f", 1234.5))

    assert decode_registers([high, low], "float32", "high_first") == 1234.5
    assert decode_registers([low, high], "float32", "low_first") == 1234.5


def test_uint64_word_orders() -> None:
    value = 0x0001_0002_0003_0004
    words = [1, 2, 3, 4]

    assert decode_registers(words, "uint64", "high_first") == value
    assert decode_registers(list(reversed(words)), "uint64", "low_first") == value


def test_wrong_register_count_rejected() -> None:
    with pytest.raises(DecodeError, match="needs 2 registers"):
        decode_registers([1], "uint32", "high_first")
    with pytest.raises(DecodeError, match="unknown data type"):
        decode_registers([1], "int8", "high_first")
    with pytest.raises(DecodeError, match="word order"):
        decode_registers([1, 2], "uint32", "middle")
    with pytest.raises(DecodeError, match="0–65535"):
        decode_registers([70000, 1], "uint32", "high_first")


def test_multiple_of_65536_warns() -> None:
    raw = decode_registers(PAIR_B, "uint32", "high_first")

    warnings = check_plausibility(raw, "uint32", None, None, None)

    assert [warning.reason for warning in warnings] == ["multiple_of_65536"]


def test_correct_decode_does_not_warn() -> None:
    assert check_plausibility(91_250, "uint32", 0.5, 900.0, 10.0) == []
    assert check_plausibility(0, "uint32", None, None, None) == []
    assert check_plausibility(65536, "uint16", None, None, None) == []


def test_step_above_rated_power_warns() -> None:
    # 10 kW for 15 minutes is at most 2.5 kWh.
    assert check_plausibility(91_250, "uint32", 2.5, 900.0, 10.0) == []
    warnings = check_plausibility(91_250, "uint32", 2.6, 900.0, 10.0)

    assert [warning.reason for warning in warnings] == ["step_above_rated_power"]
    assert warnings[0].evidence["limit_kwh"] == pytest.approx(2.5)


def test_wrong_order_step_warns() -> None:
    # Decoded high-first, pair A after a correctly decoded 91.25 kWh jumps by about 1.7 GWh.
    wrong = decode_registers(PAIR_A, "uint32", "high_first") * 0.001
    warnings = check_plausibility(wrong / 0.001, "uint32", wrong - 91.25, 900.0, 500.0)

    assert "step_above_rated_power" in [warning.reason for warning in warnings]

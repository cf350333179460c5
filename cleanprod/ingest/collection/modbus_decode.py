"""Decode Modbus register words into meter values, and check them for a wrong register mapping.

No I/O: the poller reads the words and calls these functions. A 32- or 64-bit value spans two
or four 16-bit registers, and devices differ in which word comes first. A low-word-first counter
read as high-word-first comes out about 65,536 times too large. An unsigned counter read as
signed turns negative once it passes 2^31.
"""

import struct
from collections.abc import Sequence
from dataclasses import dataclass

WORD = 1 << 16

REGISTER_COUNTS = {"uint16": 1, "int16": 1, "uint32": 2, "int32": 2, "float32": 2, "uint64": 4}
INTEGER_TYPES = {"uint16", "int16", "uint32", "int32", "uint64"}


class DecodeError(ValueError):
    pass


def register_count(data_type: str) -> int:
    try:
        return REGISTER_COUNTS[data_type]
    except KeyError:
        raise DecodeError(f"unknown data type {data_type!r}; use one of {', '.join(REGISTER_COUNTS)}") from None


def decode_registers(words: Sequence[int], data_type: str, word_order: str) -> int | float:
    """Return the raw number held in the registers, before scaling.

    ``word_order`` is "high_first" (the Modbus convention, big-endian words) or "low_first"
    (word-swapped). Bytes within each word are always big-endian, as Modbus sends them.
    """
    count = register_count(data_type)
    if len(words) != count:
        raise DecodeError(f"{data_type} needs {count} registers, got {len(words)}")
    if any(not 0 <= word < WORD for word in words):
        raise DecodeError(f"register words must be 0–65535, got {list(words)}")
    if word_order == "low_first":
        ordered = list(reversed(words))
    elif word_order == "high_first":
        ordered = list(words)
    else:
        raise DecodeError(f"unknown word order {word_order!r}; use high_first or low_first")
    raw = b"".join(word.to_bytes(2, "big") for word in ordered)
    if data_type == "float32":
        return float(struct.unpack(">f", raw)[0])
    return int.from_bytes(raw, "big", signed=data_type.startswith("int"))


def decode_value(words: Sequence[int], data_type: str, word_order: str, scale: float) -> tuple[int | float, float]:
    """Return (raw number, value after scaling)."""
    raw = decode_registers(words, data_type, word_order)
    return raw, float(raw) * scale


@dataclass(frozen=True)
class MappingWarning:
    """A reason to suspect a wrong register mapping, with the evidence for the finding."""

    reason: str
    evidence: dict[str, float | int | str]


def check_plausibility(
    raw: int | float,
    data_type: str,
    step_kwh: float | None,
    elapsed_seconds: float | None,
    rated_power_kw: float | None,
) -> list[MappingWarning]:
    """Return warnings for a decoded counter value.

    - A nonzero multi-word integer that is an exact multiple of 65,536 has a zero low word,
      which is what a swapped word order gives for a small counter.
    - A step larger than rated power × elapsed time cannot have been consumed.
    """
    warnings = []
    if data_type in INTEGER_TYPES and register_count(data_type) > 1 and raw != 0 and int(raw) % WORD == 0:
        warnings.append(MappingWarning("multiple_of_65536", {"raw": int(raw)}))
    if step_kwh is not None and elapsed_seconds and elapsed_seconds > 0 and rated_power_kw:
        limit_kwh = rated_power_kw * elapsed_seconds / 3600.0
        if step_kwh > limit_kwh:
            warnings.append(
                MappingWarning(
                    "step_above_rated_power",
                    {"step_kwh": step_kwh, "limit_kwh": limit_kwh, "seconds": elapsed_seconds},
                )
            )
    return warnings

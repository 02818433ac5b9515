"""`ask --jsonl`: one question per line in, one strict JSON object per line out.

Every line gets an answer or an error object, in order; a bad line never
stops the others. Bad lines: not UTF-8, longer than MAX_LINE_BYTES (skipped
unread), not JSON, nested too deeply, not an object, an `id` that is not a
string, number or null, a `history` that is not a list of strings, an empty or
oversized question. Output is strict JSON (RFC 8259): `NaN`, `Infinity` and
numbers too large for a float (`1e999`) are never written as such — an id
given that way is echoed as the text of its literal ("1e999") — and lone
surrogates in an id become U+FFFD. Leaves out: JSON-RPC batches.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_LINE_BYTES = 1024 * 1024  # a question with its history is a few kB
_SURROGATE = re.compile("[\ud800-\udfff]")


class BadLine(ValueError):
    """A line that cannot be asked; the message says why (one line)."""


@dataclass(frozen=True)
class _NonFinite:
    """NaN, Infinity or an overflowing number, kept as the literal the line had."""

    literal: str


def _parse_float(text: str) -> float | _NonFinite:
    value = float(text)
    return value if math.isfinite(value) else _NonFinite(text)


def read_lines(stream: BinaryIO) -> Iterator[tuple[int, str | None, str | None]]:
    """(line number, text or None, problem or None) for each non-blank line.

    Reads at most MAX_LINE_BYTES + 1 bytes at a time, so one endless line
    costs no memory: its rest is read and dropped.
    """
    no = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        no += 1
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES + 1)) and not rest.endswith(b"\n"):
                pass
            yield no, None, f"longer than {MAX_LINE_BYTES:,} bytes"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield no, None, f"not valid UTF-8 (byte {exc.start + 1})"
            continue
        if no == 1:
            text = text.removeprefix("\ufeff")
        if text.strip():
            yield no, text, None


def parse_line(text: str) -> dict:
    """The JSON object of one line; BadLine for anything else.

    >>> parse_line('{"id": NaN, "question": "q"}')["id"]
    _NonFinite(literal='NaN')
    """
    try:
        obj = json.loads(text, parse_float=_parse_float, parse_constant=_NonFinite)
    except RecursionError:
        raise BadLine("JSON nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError, and ints over Python's 4,300 digits
        raise BadLine(f"not JSON ({one_line(str(exc))})") from None
    if not isinstance(obj, dict):
        raise BadLine("not a JSON object")
    return obj


def coerce_id(value: object) -> str | int | float | None:
    """An id that strict JSON can echo.

    >>> coerce_id(_NonFinite("1e999")), coerce_id("a\\udc80"), coerce_id(7)
    ('1e999', 'a�', 7)
    """
    if value is None or isinstance(value, int | float):  # floats are finite here
        return value
    if isinstance(value, _NonFinite):
        return value.literal
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    raise BadLine('"id" must be a string, a number or null')


def history_of(obj: dict) -> list[str]:
    history = obj.get("history")
    if history is None:
        return []
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise BadLine('"history" must be a list of strings')
    return history


def one_line(text: str) -> str:
    """`text` as one printable line (control characters and lone surrogates replaced)."""
    text = _SURROGATE.sub("\ufffd", text)
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def dumps(obj: dict) -> str:
    """Strict JSON: a NaN or Infinity anywhere raises ValueError instead of being written."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def answer_lines(
    stream: BinaryIO,
    answer: Callable[[object, list[str], str | int | float | None], dict],
    out: Callable[[str], None],
    err: Callable[[str], None],
) -> int:
    """Answer each line with `answer(question, history, id)`; returns how many were bad."""
    bad = 0
    for no, text, problem in read_lines(stream):
        qid = None
        try:
            if problem is not None:
                raise BadLine(problem)
            assert text is not None
            obj = parse_line(text)
            qid = coerce_id(obj.get("id"))
            line = dumps(answer(obj.get("question"), history_of(obj), qid))
        except (ValueError, TypeError, RecursionError) as exc:  # QuestionError is a ValueError
            bad += 1
            why = one_line(str(exc)) or type(exc).__name__
            err(f"stdin line {no}: {why}")
            line = dumps({"id": qid, "error": why})
        out(line)
    return bad


def answer_stdin(
    answer: Callable[[object, list[str], str | int | float | None], dict],
    err: Callable[[str], None],
) -> int:
    """`answer_lines` from standard input to standard output; returns how many were bad."""
    # Bytes, not text: a line that is not UTF-8 is reported, not fatal.
    stream = getattr(sys.stdin, "buffer", None) or io.BytesIO(sys.stdin.read().encode())
    return answer_lines(stream, answer, out=lambda line: print(line, flush=True), err=err)

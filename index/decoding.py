"""Turn a note's bytes into text, or refuse them as binary; say what was guessed.

Order: a byte-order mark (UTF-8, UTF-16, UTF-32) decides; known binary formats
(PNG, PDF, ZIP, ELF, …) are refused; UTF-16 without a BOM is recognised by its
NUL bytes all falling on one side of each pair; a file made largely of control
bytes is refused as binary; then UTF-8; then, line by line, UTF-8 where a line
is valid UTF-8 and GB18030 (a superset of GBK/GB2312) where it is not, so one
GBK paragraph pasted into a UTF-8 note is read rather than replaced by U+FFFD
(a note that is GBK throughout is read as GB18030 whole); then the best guess
of charset-normalizer. Whatever was guessed or replaced is reported in
`Decoded.warnings`. Leaves out: UTF-32 without a BOM (refused as binary) and
mixtures of encodings other than UTF-8 with GB18030.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SAMPLE_BYTES = 8192  # binary and UTF-16 sniffing look at this much of the start
# Bytes that text never holds in quantity (TAB, LF, VT, FF, CR and ESC excluded:
# ESC starts the colour codes some notes carry).
_CONTROL = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])
_ASCII = bytes(range(128))
_CONTROL_KIND = "binary data (control bytes)"
_BOMS = [  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]
_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.epub)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x7fELF", "an ELF program"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\xca\xfe\xba\xbe", "a Java class or Mach-O program"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O program"),
    (b"OggS", "an Ogg media file"),
    (b"fLaC", "a FLAC audio file"),
    (b"ID3", "an MP3 audio file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
]


class BinaryData(ValueError):
    """Bytes that are not text; the message says what they look like."""


class TooManyLines(ValueError):
    """More lines than the caller allows; `lines` is how many."""

    def __init__(self, lines: int) -> None:
        super().__init__(f"{lines:,} lines")
        self.lines = lines


def count_lines(text: str) -> int:
    """Lines of `text`, the last one counted even without a newline.

    >>> count_lines("a\\nb\\n"), count_lines("a\\nb"), count_lines("")
    (2, 2, 0)
    """
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def binary_kind(data: bytes) -> str | None:
    """What binary format `data` is, or None when it may be text.

    >>> binary_kind(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00"), binary_kind("笔记".encode())
    ('a PNG image', None)
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "an MP4/MOV media file"
    if data.startswith(b"RIFF") and data[8:12] in (b"WAVE", b"AVI ", b"WEBP"):
        return "a RIFF media file"
    sample = data[:SAMPLE_BYTES]
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    # Random or compressed bytes are ~10 % control bytes; text has next to none.
    if controls >= 4 and controls * 20 > len(sample):
        return _CONTROL_KIND
    return None


# Characters of ordinary text: ASCII, Latin/Greek/Cyrillic, punctuation, CJK, kana, Hangul.
_ORDINARY = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u052f\u2010-\u205e\u3000-\u30ff\u4e00-\u9fff"
    "\uac00-\ud7a3\uff00-\uffef]"
)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes read as ordinary text in one byte order.

    Every ASCII character (newlines, spaces, Markdown marks) is a NUL and a
    byte in UTF-16, so a note in UTF-16 has NULs, mostly on one side of each
    byte pair; read in the right order its characters are letters, CJK and
    punctuation, read in the wrong order they scatter over the code space.
    """
    sample = data[: SAMPLE_BYTES - SAMPLE_BYTES % 2]
    nuls = {"utf-16-le": sample[1::2].count(0), "utf-16-be": sample[0::2].count(0)}
    if len(data) % 2 or sum(nuls.values()) < max(2, len(sample) // 200):
        return None
    scores = {}
    for encoding in nuls:
        text = sample.decode(encoding, errors="replace")
        scores[encoding] = len(_ORDINARY.findall(text)) / max(1, len(text))
    encoding = max(scores, key=scores.__getitem__)
    if scores[encoding] < 0.9 or nuls[encoding] * 2 < sum(nuls.values()):
        return None
    try:
        data.decode(encoding)  # lone surrogates fail here: not UTF-16 after all
    except UnicodeDecodeError:
        return None
    return encoding


def _by_line(data: bytes) -> tuple[Decoded, bool, bool]:
    """Line by line: UTF-8 where valid, else GB18030, else U+FFFD.

    Returns (result, mostly UTF-8, every line valid in one of the two).

    Splitting at b"\\n" is safe in both encodings: neither uses 0x0A inside a
    multi-byte character. "Mostly UTF-8" weighs the non-ASCII bytes of valid
    UTF-8 lines against the others: GBK text is seldom valid UTF-8 for more
    than a character or two, so long valid lines are strong evidence.
    """
    parts, gb, replaced = [], [], []
    utf8_bytes = other_bytes = 0
    for no, line in enumerate(data.split(b"\n"), 1):
        try:
            parts.append(line.decode("utf-8"))
            utf8_bytes += len(line.translate(None, _ASCII))
            continue
        except UnicodeDecodeError:
            other_bytes += len(line)
        try:
            parts.append(line.decode("gb18030"))
            gb.append(no)
        except UnicodeDecodeError:
            parts.append(line.decode("utf-8", errors="replace"))
            replaced.append(no)
    warnings = []
    if gb:
        warnings.append(f"{_lines(gb)} not UTF-8; read as GB18030 (GBK)")
    if replaced:
        warnings.append(f"{_lines(replaced)} neither UTF-8 nor GB18030; bad bytes shown as �")
    encoding = "utf-8+gb18030" if gb else "utf-8-replace"
    decoded = Decoded("\n".join(parts), encoding, tuple(warnings))
    return decoded, utf8_bytes >= other_bytes, not replaced


def _lines(numbers: list[int]) -> str:
    """'line 3' / 'lines 3, 7, 9 and 2 more'."""
    shown = ", ".join(map(str, numbers[:5]))
    more = f" and {len(numbers) - 5} more" if len(numbers) > 5 else ""
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more}"


def decode(data: bytes, max_lines: int | None = None) -> Decoded:
    """Decode note bytes; raises BinaryData for bytes that are not text.

    With `max_lines`, raises TooManyLines for more lines than that, before
    decoding line by line (which would hold every line at once).

    >>> decode("笔记".encode("gbk")).text, decode("笔记".encode("gbk")).encoding
    ('笔记', 'gb18030')
    >>> mixed = "第一段。\\n".encode() + "第二段。\\n".encode("gbk")
    >>> d = decode(mixed); d.text, d.warnings
    ('第一段。\\n第二段。\\n', ('line 2 not UTF-8; read as GB18030 (GBK)',))
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return Decoded(body.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                text = body.decode(encoding, errors="replace")
                return Decoded(
                    text, encoding, (f"invalid {encoding} at byte {exc.start}; shown as �",)
                )
    kind = binary_kind(data)
    if kind is not None and kind != _CONTROL_KIND:
        raise BinaryData(kind)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    sample = data[:SAMPLE_BYTES]
    # Valid UTF-8 is UTF-8 unless a third of it is NULs (UTF-16 of ASCII is half NULs):
    # a few stray NULs in a UTF-8 note must not turn it into UTF-16.
    if text is None or sample.count(0) * 3 >= len(sample):
        if utf16 := _utf16_without_bom(data):
            return Decoded(data.decode(utf16), utf16, (f"no byte-order mark; read as {utf16}",))
    if kind is not None:
        raise BinaryData(kind)
    if text is not None:
        return Decoded(text, "utf-8")
    newlines = data.count(b"\n")  # exact here: UTF-8 and GB18030 keep 0x0A for newlines
    if max_lines is not None and newlines > max_lines:
        raise TooManyLines(newlines + (0 if data.endswith(b"\n") else 1))
    by_line, mostly_utf8, clean = _by_line(data)
    if mostly_utf8:  # a UTF-8 note with a pasted GBK paragraph
        return by_line
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        pass
    if clean:  # every line is one or the other
        return by_line
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return Decoded(str(best), best.encoding, (f"encoding guessed as {best.encoding}",))
    return by_line  # undecodable bytes become U+FFFD: the rest stays searchable

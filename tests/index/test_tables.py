"""A Markdown table's rows are embedded under, and quoted from, the table's header row."""

from __future__ import annotations

from chatbot.extent import reach
from chatbot.features import Candidate
from index.chunking import Chunk
from index.search import Hit
from index.tables import header_row, header_start

NOTE = (
    "# Bread\n\n"
    "Dough for one loaf:\n"
    "| ingredient | grams |\n"
    "| :--- | ---: |\n"
    "| flour | 500 |\n"
    "| water | 350 |\n"
    "\n"
    "| not | a table |\n"
    "| without | a rule |\n"
)


def _chunk(note: str = NOTE) -> Chunk:
    return Chunk("bread.md", "Bread", "Bread", 0, len(note), 1, note)


def test_a_row_is_embedded_under_its_header_row():
    c = _chunk()
    assert c.in_context("| water | 350 |") == "Bread\n| ingredient | grams |\n| water | 350 |"
    assert c.in_context("| ingredient | grams |") == "Bread\n| ingredient | grams |"
    assert c.in_context("| without | a rule |") == "Bread\n| without | a rule |"
    assert c.in_context("Dough for one loaf:") == "Bread\nDough for one loaf:"


def test_a_row_is_quoted_from_its_header_row_down_verbatim():
    at = NOTE.index("| water")
    hit = Hit(_chunk(), 0, 1, 1.0, 1.0, 1.0)
    quoted = reach(
        Candidate(hit, at, at + 15, NOTE[at : at + 15]), {"bread.md": NOTE}, "How much water?"
    )
    assert quoted.text == NOTE[quoted.start : quoted.end]
    assert quoted.text.startswith("| ingredient | grams |\n") and quoted.text.endswith(
        "| water | 350 |"
    )


def test_no_header_without_a_rule_line_or_for_a_row_inside_a_line():
    assert header_start(NOTE, NOTE.index("| without")) is None
    assert header_row(NOTE, NOTE.index("| water") + 2) == ""
    long = "| a | b |\n|---|---|\n" + "".join(f"| r{i} | {i} |\n" for i in range(60))
    at = long.index("| r59")
    hit = Hit(_chunk(long), 0, 1, 1.0, 1.0, 1.0)
    quoted = reach(Candidate(hit, at, at + 12, long[at : at + 12]), {"bread.md": long}, "r59?")
    assert quoted.text == "| r59 | 59 |"  # too long a table: the row alone


def test_a_row_in_a_later_chunk_of_a_long_table_is_embedded_under_the_header_row():
    from index.chunking import chunk_note
    from index.notes import parse_note

    text = "# Stock\n\n| item | shelf |\n|---|---|\n"
    text += "".join(f"| part {i:02d} | shelf {i % 7} |\n" for i in range(40))
    chunks = chunk_note(parse_note(text.encode(), "stock.md"))
    later = [c for c in chunks if "| part 39 |" in c.text and "| item |" not in c.text]
    assert later, "the table should run over more than one chunk"
    c = later[-1]
    assert c.table_header == "| item | shelf |"
    assert c.in_context("| part 39 | shelf 4 |") == "Stock\n| item | shelf |\n| part 39 | shelf 4 |"
    assert chunks[0].table_header == ""  # the chunk that holds the header row reads it itself

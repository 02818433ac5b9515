"""The conversation as plain JSON, kept in the browser (gr.BrowserState).

Two lists live in the browser: `asked`, the questions in the order they were
sent (`{"id", "q"}`, appended by the page itself, so two questions sent back
to back are both kept), and `answers`, each question's *turn* by id (written
only by the server). A question without a turn is still being answered.

A turn is `answer.to_dict(...)` (lead, kind, suggestions, confidence,
citations, passages; the text only of quoted passages) plus the question's
language and, for each citation, the passage that holds its quote and the
note text around it, so the page can be redrawn from storage after a reload.
What comes back from storage is checked field by field and anything
malformed is dropped, never trusted.
Leaves out: rendering (chatbot/bubble.py, chatbot/cards.py).
"""

from __future__ import annotations

CONTEXT_CHARS = 240  # note text shown before and after a quote by "show in note"
MAX_TURNS = 40  # kept in the browser; older ones are dropped


def _context(note: str, start: int, end: int, window: int) -> dict:
    """The note around [start, end), widened to whole lines within `window` chars."""
    lo = max(0, start - window)
    if lo > 0:
        nl = note.find("\n", lo, start)
        lo = nl + 1 if nl >= 0 else lo
    hi = min(len(note), end + window)
    if hi < len(note):
        nl = note.rfind("\n", end, hi)
        hi = nl if nl >= 0 else hi
    return {
        "before": note[lo:start],
        "after": note[end:hi],
        "line": note.count("\n", 0, lo) + 1,
        "more_before": lo > 0,
        "more_after": hi < len(note),
    }


def make_turn(
    result: dict, notes: dict[str, str], language: str, window: int = CONTEXT_CHARS
) -> dict:
    """A turn from `answer.to_dict(...)`: each citation gains its passage and note context.

    `notes` maps note paths to their full text (the index's own copy, so the
    offsets match); a citation whose quote is not verbatim there gets no context.
    """
    passages = list(result.get("passages", []))
    cites = []
    for c in result.get("citations", []):
        c = dict(c)
        c["passage"] = next(
            (
                i
                for i, p in enumerate(passages)
                if p["note"] == c["note"] and p["start"] <= c["start"] and c["end"] <= p["end"]
            ),
            None,
        )
        note = notes.get(c["note"])
        if note is not None and note[c["start"] : c["end"]] == c["quote"]:
            c["context"] = _context(note, c["start"], c["end"], window)
        cites.append(c)
    # Every question sends the stored turns back to the server: keep the text
    # only of the passages that are quoted (the scores table needs no text).
    cited = {c["passage"] for c in cites}
    passages = [p if i in cited else {**p, "text": ""} for i, p in enumerate(passages)]
    return {
        "question": result.get("question", ""),
        "lead": result.get("lead", ""),
        "kind": result.get("kind", "answer"),
        "suggestions": [str(s) for s in result.get("suggestions", [])],
        "confidence": result.get("confidence", "none"),
        "language": language,
        "citations": cites,
        "passages": passages,
    }


def refusal_turn(question: str, message: str, language: str) -> dict:
    """The turn for a question the engine refuses: its message, no quotes."""
    return {
        "question": question,
        "lead": message,
        "kind": "refused",
        "suggestions": [],
        "confidence": "none",
        "language": language,
        "citations": [],
        "passages": [],
    }


def _need(ok: bool) -> None:
    if not ok:
        raise ValueError("malformed turn")


def valid_turn(turn: object) -> dict | None:
    """`turn` when every field the page reads has the right type, else None."""
    try:
        _need(isinstance(turn, dict))
        assert isinstance(turn, dict)  # for the type checker; _need has raised otherwise
        _need(all(isinstance(turn[k], str) for k in ("question", "lead", "kind", "confidence")))
        _need(all(isinstance(s, str) for s in turn["suggestions"]))
        for c in turn["citations"]:
            int(c["n"]), int(c["line"]), int(c["start"])
            _need(all(isinstance(c[k], str) for k in ("quote", "section", "note")))
            _need(isinstance(c.get("open", ""), str) and isinstance(c.get("page") or 0, int))
            ctx = c.get("context")
            _need(ctx is None or (isinstance(ctx["before"], str) and isinstance(ctx["after"], str)))
        for p in turn["passages"]:
            float(p["scores"]["lexical"]), float(p["scores"]["dense"]), float(p["scores"]["fused"])
            int(p["rank"]), int(p["line"]), int(p["start"])
            _need(all(isinstance(p[k], str) for k in ("text", "section", "note")))
    except (KeyError, TypeError, ValueError):
        return None
    return turn


def asked_list(value: object) -> list[dict]:
    """The questions from storage, oldest first; malformed entries dropped."""
    if not isinstance(value, list):
        return []
    out = [
        {"id": a["id"], "q": a["q"]}
        for a in value
        if isinstance(a, dict) and isinstance(a.get("id"), str) and isinstance(a.get("q"), str)
    ]
    return out[-MAX_TURNS:]


def conversation(asked: object, answers: object) -> list[tuple[str, str, dict | None]]:
    """(id, question, turn or None while unanswered) for each question, oldest first."""
    by_id = answers if isinstance(answers, dict) else {}
    return [(a["id"], a["q"], valid_turn(by_id.get(a["id"]))) for a in asked_list(asked)]


def answered(asked: object, answers: object) -> list[dict]:
    """The turns answered so far, in the order their questions were asked."""
    return [t for _, _, t in conversation(asked, answers) if t is not None]

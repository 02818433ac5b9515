"""What the chat page and `/ask` do, as plain functions (tested without a server).

The page keeps two lists in the browser (chatbot/turns.py): the questions
asked and the answers by question id. `answer_and_draw` answers every
question that has no answer yet, in order, each with the earlier questions as
its history, and draws the chat and the sources from the lists. `ask_json` is
the `/ask` endpoint: the same JSON as `ask --json`, with bad input refused by
a message that names the problem.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from pathlib import Path

from index.hans import language_of
from index.scope import Scope, ScopeError

from . import bubble, cards, turns
from .answer import to_dict
from .engine import Engine, QuestionError
from .gradio_env import gr
from .scoping import scope_of

log = logging.getLogger(__name__)

MAX_HISTORY_CHARS = 100_000  # the /ask history, as JSON


def _refusal(question: str, exc: Exception) -> dict:
    lang = language_of(question)
    if isinstance(exc, QuestionError | ScopeError):
        message = ("无法回答这个问题：" if lang == "zh" else "Cannot ask this: ") + str(exc)
    else:
        message = (
            "出错了，没能回答这个问题（详见服务器日志）。"
            if lang == "zh"
            else "Something went wrong answering this (see the server's log)."
        )
    return turns.refusal_turn(question, message, lang)


def answer_pending(engine: Engine, asked: object, answers: object, scope: object = None) -> dict:
    """`answers` with a turn for every asked question that has none yet, in order.

    `scope`: the page's scope selector value (chatbot/scoping.py) new answers are asked within.
    """
    done = dict(answers) if isinstance(answers, dict) else {}
    history: list[str] = []
    out = {}
    for qid, question, turn in turns.conversation(asked, done):
        if turn is None:
            try:
                ans = engine.ask(question, history, scope=scope_of(scope))
                turn = turns.make_turn(to_dict(ans), engine.searcher.loaded.notes, ans.language)
            except Exception as exc:  # every question gets an answer, if only a notice
                if not isinstance(exc, QuestionError | ScopeError):
                    log.exception("answering %r failed", question[:80])
                turn = _refusal(question, exc)
        out[qid] = turn  # answers of questions no longer asked (cleared) are dropped
        history.append(question)
    return out


def page(asked: object, answers: object, show_scores: bool) -> tuple[list[dict], str]:
    """The chat's messages and the sources panel, drawn from the stored lists."""
    return (
        bubble.chat_messages(asked, answers),
        cards.sources_html(turns.answered(asked, answers), show_scores),
    )


def answer_and_draw(
    engine: Engine, asked: object, answers: object, show_scores: bool, scope: object = None
) -> tuple:
    """Answer what is pending, then draw the page: (answers, chat messages, sources).

    With nothing new, nothing is redrawn (`gr.skip()`): a redraw would fold again
    the answers and notes the reader has opened.
    """
    new = answer_pending(engine, asked, answers, scope)
    if new == answers:
        return gr.skip(), gr.skip(), gr.skip()
    return (new, *page(asked, new, show_scores))


def add_question(question: str, asked: object) -> list[dict]:
    """`asked` with `question` at the end (for example questions and suggestions)."""
    entry = {"id": uuid.uuid4().hex, "q": question.strip()}
    return (turns.asked_list(asked) + [entry])[-turns.MAX_TURNS :] if entry["q"] else asked


def write_export(asked: object, answers: object, folder: Path) -> str | None:
    """The conversation as a Markdown file, made when asked for (None when empty)."""
    answered = turns.answered(asked, answers)
    if not answered:
        return None
    cutoff = time.time() - 3600
    for old in folder.glob("*/*.md"):  # exports older than an hour are downloaded or lost
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    path = folder / uuid.uuid4().hex / "notechat-conversation.md"
    path.parent.mkdir(parents=True)
    path.write_text(bubble.export_markdown(answered), "utf-8")
    return str(path)


def _refused(message: str) -> gr.Error:
    # Bad input, not a fault: the caller sees the message; no traceback in the log.
    # Gradio shows it as HTML, so it never holds the caller's own text.
    return gr.Error(message, print_exception=False)


def parse_history(history: object) -> list[str]:
    """The earlier questions of an `/ask` call: a list of strings, or one as JSON text."""
    if history is None:
        return []
    if isinstance(history, str):
        if len(history) > MAX_HISTORY_CHARS:
            raise _refused(f"history is too long ({len(history)} characters as JSON)")
        try:
            history = json.loads(history) if history.strip() else []
        except RecursionError:
            raise _refused("history is nested too deeply: give a flat list of strings") from None
        except json.JSONDecodeError:
            raise _refused('history must be a JSON list of strings, e.g. ["什么是PGC？"]') from None
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise _refused("history must be a list of strings (the earlier questions)")
    return history


def ask_json(
    engine: Engine,
    question: str,
    history: object = None,
    folder: str | None = None,
    tag: str | None = None,
) -> dict:
    """The `/ask` endpoint: `answer.to_dict` of the answer (the CLI's JSON).

    `folder` / `tag`: ask only the notes under that folder / with that tag (`ask --in/--tag`).
    """
    earlier = parse_history(history)
    scope = Scope(folder or None, tag or None)
    try:
        return to_dict(engine.ask(question, earlier, scope=scope or None))
    except (QuestionError, ScopeError) as exc:
        raise _refused(f"Cannot ask this: {exc}.") from None

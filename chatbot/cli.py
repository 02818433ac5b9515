"""Command line: `python -m chatbot {index,ask,eval,serve}` (also `notechat …`).

The only place besides the UI that turns library exceptions into messages:
bad input prints one line to stderr and exits with code 2. Text from notes
and file names reaches the terminal with its control characters made visible
(`\x1b`), so a note cannot move the cursor, ring the bell or retitle the
window; JSON output is escaped by JSON itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
from collections.abc import Sequence

EXIT_USAGE = 2
# C0/C1 controls but newline and tab, and the bidi overrides that reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class UserError(Exception):
    """Shown to the user as one line; exit code 2."""


def visible(text: object) -> str:
    r"""`text` safe to print on a terminal: escape sequences shown, not obeyed.

    >>> visible("red\x1b[31m bell\x07 ok\n")
    'red\\x1b[31m bell\\x07 ok\n'
    """
    return _CONTROL.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 256 else f"\\u{ord(m[0]):04x}", str(text)
    )


def _say(message: str) -> None:
    print(f"notechat: {visible(message)}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="notechat",
        description="Ask your notes: answers that quote and cite your own notes, offline.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--index-dir", help="index folder (env NOTECHAT_INDEX_DIR; default data/index)"
    )
    common.add_argument(
        "--model", help="embedding model: e5-small (default) or a sentence-transformers name/dir"
    )
    common.add_argument(
        "--follow-links",
        action="store_true",
        help="also index links that lead outside the note folders (env NOTECHAT_FOLLOW_LINKS=1)",
    )
    common.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    ix = sub.add_parser("index", parents=[common], help="build or update the index of notes")
    ix.add_argument("paths", nargs="*", help="note files and folders (default: data/notes)")
    ix.add_argument("--watch", action="store_true", help="then re-index each change until Ctrl-C")

    ask = sub.add_parser("ask", parents=[common], help="ask a question")
    ask.add_argument("question", nargs="?", help="the question (omit with --jsonl)")
    ask.add_argument("--top-k", type=int, default=5)
    ask.add_argument("--in", dest="folder", metavar="FOLDER", help="ask only notes under it")
    ask.add_argument("--tag", help="ask only notes with this tag (nested tags included)")
    out = ask.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument(
        "--jsonl", action="store_true", help='read {"id","question","history"?} lines from stdin'
    )

    ev = sub.add_parser("eval", parents=[common], help="hit@k and MRR@10 on a question file")
    ev.add_argument("questions", nargs="?", help="JSON lines with id, question, kind, evidence")
    ev.add_argument("--top-k", type=int, default=10)
    ev.add_argument("--compare", action="store_true", help="also run the common baseline recipes")
    ev.add_argument(
        "--squad",
        metavar="FILE",
        help="trust figures on a SQuAD-style JSON file (SQuAD 2.0, CMRC 2018, DRCD): half of "
        "the articles indexed (into a temporary folder, or --index-dir), the rest withheld",
    )
    ev.add_argument("--n", type=int, default=300, help="questions of each kind with --squad")
    ev.add_argument("--seed", type=int, default=0, help="sampling seed with --squad")
    ev.add_argument(
        "--asked-as",
        metavar="JSONL",
        help="with --squad: ask only the questions this file holds ({id, question} lines), "
        "as it words them (data/fit: CMRC in English, SQuAD in Chinese)",
    )

    sv = sub.add_parser("serve", parents=[common], help="serve the chat UI in the browser")
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=7860)
    sv.add_argument("--auth", help="USER:PASS, or a file holding it (needed off loopback)")
    sv.add_argument("--no-watch", action="store_true", help="do not re-index changed notes")
    return p


def _settings(args):
    from .config import settings_from

    notes, links = getattr(args, "paths", None) or None, args.follow_links or None
    return settings_from(args.index_dir, notes, args.model, follow_links=links)


def _engine(args):
    from .engine import Engine

    return Engine(_settings(args), say=_say).open()


def cmd_index(args) -> int:
    from tqdm import tqdm

    from .engine import Engine
    from .live import watch_until_interrupted

    settings = _settings(args)
    engine = Engine(settings, say=_say)
    bar = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:  # the rate counts from the first batch's end, not from a standing start
            bar = tqdm(total=total, initial=done, unit="text", desc="embedding", file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:  # the build's messages then start on a line of their own
            bar.close()

    t0 = time.perf_counter()
    engine.embedder  # load the model before the clock of the build
    try:
        report = engine.build(list(settings.notes), progress)
    finally:  # an error message must not land on the progress bar's line
        if bar is not None:
            bar.close()
    if not report.notes:
        raise UserError("no notes indexed from " + ", ".join(settings.notes))
    print(
        f"indexed {report.notes} note(s), {report.chunks} chunks in {report.seconds:.1f} s "
        f"({report.embedded} texts embedded, {report.reused_notes} unchanged note(s) reused; "
        f"{report.skipped} file(s) skipped; {time.perf_counter() - t0:.1f} s with model load) "
        f"→ {settings.index_dir}"
    )
    if args.watch:  # then keep the index live until Ctrl-C
        return watch_until_interrupted(engine, list(settings.notes), _say)
    return EXIT_USAGE if report.errors else 0


def _print_answer(ans) -> None:
    print(visible(ans.text) + ("\n" if ans.citations else ""))
    for c in ans.citations:
        where = f" p. {c.page}" if c.page is not None else f":{c.line}"
        print(visible(f"[{c.n}] {c.section} · {os.path.basename(c.note)}{where}"))
        print(visible(f"    “{c.quote}”"))
        if c.open:
            print(visible(f"    {c.open}"))
    if ans.confidence != "high":
        print(f"\n(confidence: {ans.confidence})")


def cmd_ask(args) -> int:
    from .answer import to_dict
    from .engine import QuestionError, clean_question
    from .scoping import checked_scope

    if args.jsonl:
        return _ask_jsonl(args)
    if args.question is None:
        raise UserError("give a question, or --jsonl to read questions from stdin")
    try:
        clean_question(args.question)
    except QuestionError as exc:
        raise UserError(str(exc)) from None
    engine = _engine(args)
    scope = checked_scope(engine, args.folder, args.tag)
    ans = engine.ask(args.question, top_k=args.top_k, scope=scope)
    if args.json:
        print(json.dumps(to_dict(ans), ensure_ascii=False))
    else:
        _print_answer(ans)
    return 0


def _ask_jsonl(args) -> int:
    from .answer import to_dict
    from .jsonl import answer_stdin
    from .scoping import checked_scope

    engine = _engine(args)
    scope = checked_scope(engine, args.folder, args.tag)
    bad = answer_stdin(lambda q, h, qid: to_dict(engine.ask(q, h, args.top_k, scope), qid), _say)
    return EXIT_USAGE if bad else 0


def cmd_eval(args) -> int:
    from .answer import to_dict
    from .engine import QuestionError
    from .evaluate import QuestionFileError, load_questions, report

    if args.squad:
        return _eval_squad(args)
    if not args.questions:
        raise UserError("give a question file, or --squad FILE")
    try:
        questions = load_questions(args.questions)
    except QuestionFileError as exc:
        raise UserError(str(exc)) from None
    engine = _engine(args)
    t0 = time.perf_counter()
    results = []
    for q in questions:
        try:
            results.append(to_dict(engine.ask(q.question, q.history, args.top_k)))
        except QuestionError as exc:  # counted as a miss, said once
            print(f"notechat: question {q.id}: {exc}", file=sys.stderr)
            results.append({"answer": "", "confidence": "none", "citations": [], "passages": []})
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(questions))
    print(report(questions, results))
    print(f"{len(questions)} questions, {ms:.0f} ms per question")
    if args.compare:
        from .compare import compare

        print(compare(args.questions, engine))
    return 0


def _eval_squad(args) -> int:
    from .squad import SquadFileError
    from .trust import run

    try:
        kw = {"say": _say, "asked_as": args.asked_as}
        report, _ = run(args.squad, args.model, args.n, args.seed, args.index_dir, args.top_k, **kw)
    except SquadFileError as exc:
        raise UserError(str(exc)) from None
    print(report.format())
    return 0


def cmd_serve(args) -> int:
    from .exposure import ServeRefused, check_serving

    try:  # before importing the UI: a refusal should not wait for gradio
        check_serving(args.host, args.port, args.auth)
    except ServeRefused as exc:
        raise UserError(str(exc)) from None
    from index.background import default_in_background

    settings = _settings(args)
    embedder = default_in_background(settings.model)  # loads while Gradio imports
    from .server import serve

    return serve(settings, args.host, args.port, args.auth, not args.no_watch, embedder)


def main(argv: Sequence[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    for stream in (sys.stdout, sys.stderr):
        # A character the terminal cannot encode is shown escaped, never a crash.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="notechat: %(message)s",
    )
    if not args.command:
        parser.print_help()
        return 0
    from index import IndexProblem, NoteError
    from index.embed import EmbedderError
    from index.scope import ScopeError

    try:
        return {"index": cmd_index, "ask": cmd_ask, "eval": cmd_eval, "serve": cmd_serve}[
            args.command
        ](args)
    except (UserError, NoteError, IndexProblem, EmbedderError, ScopeError) as exc:
        _say(str(exc))
        return EXIT_USAGE
    except OSError as exc:  # disk full, permissions: the old index is still intact
        where = f"{exc.filename}: " if exc.filename else ""
        _say(f"{where}{exc.strerror or exc}")
        return 1
    except KeyboardInterrupt:
        return 130

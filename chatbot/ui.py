"""The browser UI: a Gradio Blocks app that wires events to plain functions.

`serve` loads the index once, then serves on 127.0.0.1 (another host only with
a password). The page makes no request to any other host: system fonts only,
no CDN, and all note and user text is rendered as escaped text by
chatbot/render.py. The conversation lives in the browser (gr.BrowserState);
the server keeps no chat history. `/ask` is the same answer as `ask --json`.
Leaves out: TLS (put a reverse proxy in front to expose it beyond a LAN).
"""

from __future__ import annotations

import os

# Before gradio is imported: it reads this at import time (no telemetry, no version check).
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import hashlib  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import gradio as gr  # noqa: E402

from . import render  # noqa: E402
from .answer import to_dict  # noqa: E402
from .config import MAX_QUESTION_CHARS, Settings  # noqa: E402
from .engine import Engine, QuestionError, clean_question  # noqa: E402
from .exposure import ServeRefused, check_serving  # noqa: E402
from .uploads import (  # noqa: E402
    MAX_UPLOAD_BYTES,
    UPLOAD_CONCURRENCY,
    UPLOAD_SUFFIXES,
    add_notes,
)

log = logging.getLogger(__name__)

EXIT_USAGE = 2
STATIC = Path(__file__).resolve().parent / "static"
EXAMPLES = [
    "什么是PGC？",
    "百度的数字人平台叫什么名字？",
    "AIGC在影视行业有哪些应用？",
    "How long does Magic3D take to generate a 3D model?",
    "What is UGC?",
]
MAX_TURNS = 40  # kept in the browser; older turns are dropped
CONCURRENCY = 4  # answers computed at once; the embedder is serialised anyway
# Waiting requests beyond this get Gradio's "busy, try again"; 50 tabs asking at once fit.
QUEUE_SIZE = 200
STREAM_DELAY = 0.015  # seconds between streamed pieces of an answer

# System fonts only: Gradio's default theme pulls Google Fonts, a request off this machine.
FONTS = [
    "system-ui",
    "-apple-system",
    "Segoe UI",
    "Noto Sans CJK SC",
    "PingFang SC",
    "Microsoft YaHei",
    "Helvetica Neue",
    "Arial",
    "sans-serif",
]
MONO_FONTS = [
    "ui-monospace",
    "SFMono-Regular",
    "Menlo",
    "Consolas",
    "Noto Sans Mono CJK SC",
    "DejaVu Sans Mono",
    "monospace",
]


# --- plain functions (tested without a server) --------------------------------


def write_export(turns: list[dict], lang: str, folder: Path) -> str | None:
    """The conversation as a Markdown file for the download button (None when empty)."""
    if not turns:
        return None
    cutoff = time.time() - 3600
    for old in folder.glob("*/*.md"):  # exports older than an hour are downloaded or lost
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    path = folder / uuid.uuid4().hex / "notechat-conversation.md"
    path.parent.mkdir(parents=True)
    path.write_text(render.export_markdown(turns, lang), "utf-8")
    return str(path)


def question_message(exc: QuestionError, lang: str) -> str:
    if render.lang_of(lang) == "zh":
        if "empty" in str(exc):
            return "请输入问题。"
        if "too long" in str(exc):
            return f"问题太长（最多 {MAX_QUESTION_CHARS} 个字符）。"
    return f"Cannot ask this: {exc}."


def ask_json(engine: Engine, question: str, history: list[str] | str | None = None) -> dict:
    """The `/ask` endpoint: `answer.to_dict` of the answer (the CLI's JSON)."""
    if isinstance(history, str):
        try:
            history = json.loads(history) if history.strip() else []
        except json.JSONDecodeError:
            raise gr.Error('history must be a JSON list of strings, e.g. ["什么是PGC？"]') from None
    if not isinstance(history, list) or not all(isinstance(h, str) for h in history):
        raise gr.Error("history must be a list of strings (the earlier questions)")
    try:
        return to_dict(engine.ask(question, history))
    except QuestionError as exc:
        raise gr.Error(f"Cannot ask this: {exc}.") from None


def respond(
    engine: Engine, question: str, turns: list, lang: str, show_scores: bool, export_dir: Path
) -> Iterator[tuple]:
    """Answer in the chat, streamed; yields (chat, sources, turns, textbox, export path).

    The last yield carries the new turns (stored in the browser) and the export file.
    """
    turns = render.valid_turns(turns)[-(MAX_TURNS - 1) :]  # room for this one
    try:
        question = clean_question(question)
    except QuestionError as exc:
        # A notice, not gr.Error: an error would also blank the chat's outputs.
        gr.Warning(question_message(exc, lang), duration=6)
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    chat = render.chat_messages(turns, lang)
    chat.append({"role": "user", "content": render.user_html(question)})
    yield (
        chat + [{"role": "assistant", "content": render.thinking_html(lang)}],
        gr.skip(),
        gr.skip(),
        "",
        gr.skip(),
    )
    ans = engine.ask(question, [t["question"] for t in turns])
    turn = render.make_turn(to_dict(ans), engine.searcher.loaded.notes, ans.language)
    turns = turns + [turn]
    index = len(turns)
    for limit in render.stream_limits(render.answer_length(turn)):
        bubble = render.answer_html(turn, index, lang, limit)
        yield (
            chat + [{"role": "assistant", "content": bubble}],
            gr.skip(),
            gr.skip(),
            gr.skip(),
            gr.skip(),
        )
        time.sleep(STREAM_DELAY)
    yield (
        render.chat_messages(turns, lang),
        render.sources_html(turns, lang, show_scores),
        turns,
        gr.skip(),
        write_export(turns, lang, export_dir),
    )


# --- the app ------------------------------------------------------------------


def _theme() -> gr.themes.Base:
    return gr.themes.Default(font=FONTS, font_mono=MONO_FONTS)


def _secret(settings: Settings) -> str:
    # BrowserState encrypts with this; a stable value lets a conversation
    # survive a server restart, and one per index keeps note sets apart.
    seed = f"notechat:{Path(settings.index_dir).resolve()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]


def build_app(
    engine: Engine, concurrency: int = CONCURRENCY, queue_size: int = QUEUE_SIZE
) -> gr.Blocks:
    """The chat app over an opened engine; launch it with `demo.launch(...)` or `start`."""
    export_dir = Path(tempfile.mkdtemp(prefix="notechat-export-"))
    upload_lock = threading.Lock()
    secret = _secret(engine.settings)
    L = render.LABELS["en"]
    # theme/css/js given here (not only to launch) so any launch of this app,
    # tests included, stays offline-safe; Gradio 6 warns that they moved.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*moved from the Blocks constructor.*")
        demo = gr.Blocks(
            title="notechat",
            analytics_enabled=False,
            theme=_theme(),
            css=(STATIC / "notechat.css").read_text("utf-8"),
            js=(STATIC / "notechat.js").read_text("utf-8"),
            delete_cache=(3600, 3600),
        )
    with demo:
        store = gr.BrowserState([], storage_key=f"notechat-turns-{secret[:8]}", secret=secret)
        lang_pref = gr.BrowserState("", storage_key="notechat-lang", secret=secret)
        with gr.Row(equal_height=True):
            header = gr.HTML(_header("en"), js_on_load=None, scale=4)
            lang = gr.Radio(
                [("中文", "zh"), ("English", "en")],
                value="en",
                label="Language / 语言",
                elem_id="nc-lang",
                scale=1,
                min_width=180,
            )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    [],
                    label=L["chat"],
                    elem_id="nc-chat",
                    height=520,
                    render_markdown=False,
                    sanitize_html=True,
                    allow_tags=False,
                    buttons=["copy", "copy_all"],
                    feedback_options=None,
                    placeholder=L["no_sources"],
                )
                with gr.Row():
                    msg = gr.Textbox(
                        label=L["question"],
                        placeholder=L["placeholder"],
                        elem_id="nc-input",
                        max_length=MAX_QUESTION_CHARS,
                        lines=1,
                        max_lines=4,
                        scale=5,
                        autofocus=True,
                    )
                    send = gr.Button(
                        L["send"], variant="primary", elem_id="nc-send", scale=1, min_width=80
                    )
                examples = gr.Examples([[q] for q in EXAMPLES], inputs=[msg], label=L["examples"])
                with gr.Row():
                    clear = gr.Button(L["clear"], elem_id="nc-clear", size="sm")
                    export = gr.DownloadButton(
                        L["export"], value=None, elem_id="nc-export", size="sm"
                    )
            with gr.Column(scale=2):
                scores = gr.Checkbox(False, label=L["scores"], elem_id="nc-scores")
                sources = gr.HTML(
                    render.sources_html([], "en"), elem_id="nc-sources-panel", js_on_load=None
                )
                with gr.Accordion(L["add_notes"], open=True, elem_id="nc-notes-box") as notes_box:
                    notes = gr.HTML(
                        render.notes_html(engine.notes(), "en"), elem_id="nc-notes", js_on_load=None
                    )
                    files = gr.File(
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        label=L["upload"],
                        elem_id="nc-upload",
                        height=110,
                    )

        labelled = [
            header,
            lang,
            chatbot,
            msg,
            send,
            examples.dataset,
            clear,
            export,
            scores,
            sources,
            notes_box,
            files,
            notes,
        ]

        def relabel(turns: list, code: str, show: bool) -> list:
            lg, tr = render.lang_of(code), render.valid_turns(turns)
            T = render.LABELS[lg]
            return [
                _header(lg),
                gr.update(value=lg),
                gr.update(
                    value=render.chat_messages(tr, lg), label=T["chat"], placeholder=T["no_sources"]
                ),
                gr.update(label=T["question"], placeholder=T["placeholder"]),
                gr.update(value=T["send"]),
                gr.update(label=T["examples"]),
                gr.update(value=T["clear"]),
                gr.update(label=T["export"], value=write_export(tr, lg, export_dir)),
                gr.update(label=T["scores"]),
                render.sources_html(tr, lg, show),
                gr.update(label=T["add_notes"]),
                gr.update(label=T["upload"]),
                render.notes_html(engine.notes(), lg),
            ]

        # The browser's language decides, unless the user chose one before.
        demo.load(
            relabel,
            [store, lang_pref, scores],
            labelled,
            js="(turns, pref, show) => [turns, pref || navigator.language || 'en', show]",
            api_visibility="private",
        )
        lang.input(
            lambda code, turns, show: [code] + relabel(turns, code, show),
            [lang, store, scores],
            [lang_pref] + labelled,
            api_visibility="private",
        )

        def on_ask(question: str, turns: list, code: str, show: bool):
            yield from respond(engine, question, turns, code, show, export_dir)

        ask_io = dict(
            inputs=[msg, store, lang, scores],
            outputs=[chatbot, sources, store, msg, export],
            api_visibility="private",
        )
        msg.submit(on_ask, **ask_io)
        send.click(on_ask, **ask_io)
        examples.load_input_event.then(on_ask, **ask_io)  # an example is asked at once

        for clearing in (clear.click, chatbot.clear):  # our button and the chat's own bin
            clearing(
                lambda code, show: ([], render.sources_html([], code, show), [], None),
                [lang, scores],
                [chatbot, sources, store, export],
                api_visibility="private",
                queue=False,
            )
        scores.change(
            lambda turns, code, show: render.sources_html(render.valid_turns(turns), code, show),
            [store, lang, scores],
            [sources],
            api_visibility="private",
            queue=False,
        )

        def on_upload(uploaded: list | None, code: str):
            added, refused, notices = add_notes(engine, uploaded, upload_lock)
            zh = render.lang_of(code) == "zh"
            for why in refused:
                gr.Warning(("未添加：" if zh else "Not added: ") + why)
            for note in notices:
                gr.Warning(note)
            if added:
                gr.Info(("已添加并索引：" if zh else "Added and indexed: ") + ", ".join(added))
            return render.notes_html(engine.notes(), code), None

        files.upload(
            on_upload,
            [files, lang],
            [notes, files],
            api_name="add_notes",
            concurrency_limit=UPLOAD_CONCURRENCY,  # a small upload runs beside a big one
        )

        def ask(question: str, history: list[str] | str | None = None) -> dict:
            """Answer a question from the notes; history is the earlier questions (list or JSON)."""
            return ask_json(engine, question, history)

        gr.api(ask, api_name="ask")
    demo.queue(default_concurrency_limit=concurrency, max_size=queue_size)
    return demo


def _header(lang: str) -> str:
    return (
        f'<div class="nc-header"><h1 style="margin:0">{render.esc(render.t(lang, "title"))}</h1>'
        f'<p style="margin:2px 0 0;opacity:.75">{render.esc(render.t(lang, "subtitle"))}</p></div>'
    )


def start(
    demo: gr.Blocks,
    host: str,
    port: int,
    auth: tuple[str, str] | None = None,
    prevent_thread_lock: bool = True,
) -> None:
    """Launch with the app's limits: no share link, upload size cap, quiet."""
    demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        auth=auth,
        prevent_thread_lock=prevent_thread_lock,
        quiet=True,
        inbrowser=False,
        show_error=False,
        max_file_size=MAX_UPLOAD_BYTES,
        footer_links=["api", "settings"],
        ssr_mode=False,  # SSR would start a Node server; plain serving is enough
        mcp_server=False,
    )


def _fail(message: str) -> int:
    print(f"notechat: {message}", file=sys.stderr)
    return EXIT_USAGE


def _warm_up(engine: Engine) -> None:
    try:
        engine.ask("What is this note about?")
    except Exception:  # only a warm-up: a real question will report the problem
        log.debug("warm-up question failed", exc_info=True)


def serve(
    settings: Settings, host: str = "127.0.0.1", port: int = 7860, auth: str | None = None
) -> int:
    """Serve the chat UI until Ctrl-C; 2 for a refused host, bad --auth or a busy port."""
    t0 = time.perf_counter()
    try:
        creds = check_serving(host, port, auth)
    except ServeRefused as exc:
        return _fail(str(exc))
    engine = Engine(settings, say=lambda m: print(f"notechat: {m}", file=sys.stderr)).open()
    demo = build_app(engine)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    if creds:
        print(
            f"notechat: WARNING: serving on {url}, exposed to the network (password login, no TLS)",
            file=sys.stderr,
        )
    try:
        start(demo, host, port, creds)
    except OSError as exc:
        return _fail(f"cannot listen on {host}:{port} ({exc}); choose another with --port")
    # A first answer loads whatever the embedder defers (torch for sentence
    # batches): do it now, in the background, so the user's first question is quick.
    threading.Thread(target=_warm_up, args=(engine,), daemon=True).start()
    notes = engine.notes()
    print(
        f"notechat: ready at {url} in {time.perf_counter() - t0:.1f} s — {len(notes)} note(s), "
        f"{sum(n.get('chunks', 0) for n in notes)} chunks (Ctrl-C to stop)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return 0


if __name__ == "__main__":
    from .config import settings_from

    raise SystemExit(serve(settings_from()))

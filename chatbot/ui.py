"""The chat page: Gradio's own components wired to plain functions.

A question goes into the browser's list of questions the moment Enter is
pressed (a `js=` step, no round trip, so two questions sent back to back are
both kept, in order) and shows in the chat as pending. One queued step then
answers every question that has no answer yet, in order, and draws the chat
and the sources from the two stored lists (chatbot/turns.py). That step runs
once at a time per page (`trigger_mode="always_last"`): a question sent
during a run is picked up by the next, never dropped. Nothing is streamed:
an answer takes tens of milliseconds and appears whole. The server keeps no
chat history. `/ask` is the same answer as `ask --json`. Questions are asked
within the scope chosen beside the box (chatbot/scoping.py); a timer redraws
the notes list and the scope choices when the index changes under the page.
Start the app with `chatbot.server.start` (it adds the labels, theme, headers
and limits).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from pathlib import Path

from . import cards, scoping, turns
from .chat import add_question, answer_and_draw, ask_json, page, write_export
from .engine import Engine
from .gradio_env import gr
from .labels import TEXTS, text
from .uploads import UPLOAD_CONCURRENCY, UPLOAD_SUFFIXES, add_notes

# Answers computed at once. Their question embeddings are batched
# (index/batching.py), so more at once is cheaper per question, not slower.
CONCURRENCY = 32
# Waiting requests beyond this get Gradio's "busy, try again"; 50 tabs asking at once fit.
QUEUE_SIZE = 200
# How often an open page checks whether the notes changed (watched folders, uploads
# elsewhere); a check with nothing new redraws nothing.
NOTES_CHECK_SECONDS = 2.0

# A pending question as chat messages: every ASCII punctuation mark backslash-escaped,
# which Markdown shows as itself; the server's answer then replaces the pair.
_PENDING_JS = """const pending = q => [
  { role: "user", content: [{ type: "text", text: q.replace(/[!-\\/:-@\\[-`{-~]/g, "\\\\$&") }] },
  { role: "assistant", content: [{ type: "text", text: "…" }] },
];"""
# On Enter: the question joins the browser's list at once, before any round trip,
# so questions sent back to back are all kept, in order.
ADD_QUESTION_JS = f"""(q, asked) => {{
  const text = (q || "").trim();
  if (!text) return [q, asked];
  const id = Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  const before = Array.isArray(asked) ? asked : [];
  return ["", [...before, {{ id, q: text }}].slice(-{turns.MAX_TURNS})];
}}"""
# Questions not yet in the chat are shown as pending: after Enter (a step of its
# own, so the question is sent before the chat is redrawn), and after an answer is
# drawn from a list that lacks questions asked meanwhile (the next run answers them).
SHOW_PENDING_JS = f"""(asked, chat) => {{
  {_PENDING_JS}
  const shown = (chat || []).filter(m => m.role === "user").length;
  const missing = (Array.isArray(asked) ? asked : []).slice(shown);
  return [[...(chat || []), ...missing.flatMap(a => pending(a.q))]];
}}"""
# Clearing empties both lists, the chat and the sources at once.
CLEAR_JS = f"() => [[], {{}}, [], {json.dumps(cards.sources_html([]), ensure_ascii=False)}]"
I18N = gr.I18n(**TEXTS)  # labels: the browser's language, switchable in Gradio's settings


# --- the app ------------------------------------------------------------------


def build_app(
    engine: Engine, concurrency: int = CONCURRENCY, queue_size: int = QUEUE_SIZE
) -> gr.Blocks:
    """The chat app over an opened engine; serve it with `chatbot.server.start`."""
    i18n = I18N
    export_dir = Path(tempfile.mkdtemp(prefix="notechat-export-"))
    upload_lock = threading.Lock()
    secret = _secret(engine)
    engine.notes()  # opens the index: the scope selector's choices come from it
    with gr.Blocks(title="notechat", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        asked = gr.BrowserState([], storage_key=f"notechat-asked-{secret[:8]}", secret=secret)
        answers = gr.BrowserState({}, storage_key=f"notechat-answers-{secret[:8]}", secret=secret)
        gr.Markdown(i18n("title"), elem_id="nc-header")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label=i18n("chat"),
                    elem_id="nc-chat",
                    height=520,
                    buttons=["copy", "copy_all"],
                    feedback_options=None,
                    latex_delimiters=[],
                    sanitize_html=True,
                    allow_tags=False,
                    examples=[{"text": q} for q in engine.settings.examples],
                )
                with gr.Row():
                    msg = gr.Textbox(
                        label=i18n("question"),
                        placeholder=i18n("placeholder"),
                        elem_id="nc-input",
                        max_length=2000,
                        lines=1,
                        max_lines=4,
                        scale=5,
                        autofocus=True,
                    )
                    scope = gr.Dropdown(
                        scoping.choices(engine.searcher),
                        value=scoping.ALL,
                        label=i18n("scope"),
                        elem_id="nc-scope",
                        scale=2,
                        min_width=140,
                        filterable=True,
                    )
                    send = gr.Button(
                        i18n("send"), variant="primary", elem_id="nc-send", scale=1, min_width=80
                    )
                with gr.Row():
                    clear = gr.Button(i18n("clear"), elem_id="nc-clear", size="sm")
                    export = gr.Button(i18n("export"), elem_id="nc-export", size="sm")
                export_file = gr.File(
                    label=i18n("export_file"), visible=False, elem_id="nc-export-file"
                )
            with gr.Column(scale=2):
                scores = gr.Checkbox(False, label=i18n("scores"), elem_id="nc-scores")
                sources = gr.HTML(
                    cards.sources_html([]), elem_id="nc-sources-panel", max_height=760
                )
                with gr.Accordion(i18n("add_notes"), open=True, elem_id="nc-notes-box"):
                    notes = gr.HTML(cards.notes_html(engine.notes()), elem_id="nc-notes")
                    files = gr.File(
                        file_count="multiple",
                        file_types=list(UPLOAD_SUFFIXES),
                        label=i18n("upload"),
                        elem_id="nc-upload",
                        height=110,
                    )

        private = {"api_visibility": "private"}
        for trigger in (msg.submit, send.click):
            trigger(
                None,
                [msg, asked],
                [msg, asked],
                js=ADD_QUESTION_JS,
                trigger_mode="multiple",
                **private,
            ).then(None, [asked, chatbot], [chatbot], js=SHOW_PENDING_JS, **private)
        demo.load(page, [asked, answers, scores], [chatbot, sources], queue=False, **private)

        def on_pick(data: gr.SelectData, stored: list) -> list:
            value = data.value.get("text", "") if isinstance(data.value, dict) else data.value
            return add_question(str(value or ""), stored)

        for picked in (chatbot.example_select, chatbot.option_select):
            picked(on_pick, [asked], [asked], queue=False, **private)
        for clearing in (clear.click, chatbot.clear):  # our button and the chat's own bin
            clearing(None, None, [asked, answers, chatbot, sources], js=CLEAR_JS, **private)

        # One run at a time per page; a question asked during a run starts the next.
        gr.on(
            [asked.change, demo.load],
            lambda a, b, show, sc: answer_and_draw(engine, a, b, show, sc),
            [asked, answers, scores, scope],
            [answers, chatbot, sources],
            trigger_mode="always_last",
            show_progress="hidden",
            **private,
        ).then(None, [asked, chatbot], [chatbot], js=SHOW_PENDING_JS, **private)
        demo.load(page, [asked, answers, scores], [chatbot, sources], queue=False, **private)
        scores.change(
            lambda a, b, show: page(a, b, show)[1],
            [asked, answers, scores],
            [sources],
            queue=False,
            **private,
        )
        export.click(
            lambda a, b: gr.File(value=write_export(a, b, export_dir), visible=True),
            [asked, answers],
            [export_file],
            queue=False,
            **private,
        )
        demo.load(lambda: cards.notes_html(engine.notes()), None, [notes], queue=False, **private)
        # Notes change under the page (a watched folder, another tab's upload): redraw the
        # list and the scope choices when, and only when, the index did.
        seen = gr.State(scoping.signature(engine.searcher))
        gr.Timer(NOTES_CHECK_SECONDS).tick(
            lambda sig, current: _notes_changed(engine, sig, current),
            [seen, scope],
            [notes, scope, seen],
            queue=False,
            show_progress="hidden",
            **private,
        )

        def on_upload(uploaded: list | None, request: gr.Request):
            added, refused, notices = add_notes(engine, uploaded, upload_lock)
            lang = _lang(request)
            for why in refused:
                gr.Warning(f"{text('not_added', lang)} {why}")
            for note in notices:  # added, with something worth knowing
                gr.Warning(note)
            if added:
                gr.Info(f"{text('added', lang)} {', '.join(added)}")
            return cards.notes_html(engine.notes()), None

        files.upload(
            on_upload,
            [files],
            [notes, files],
            api_name="add_notes",
            concurrency_limit=UPLOAD_CONCURRENCY,  # a small upload runs beside a big one
        )

        def ask(
            question: str,
            history: list[str] | str | None = None,
            folder: str | None = None,
            tag: str | None = None,
        ) -> dict:
            """Answer a question from the notes; history is the earlier questions (list or JSON).

            folder / tag: ask only the notes under that folder / with that tag.
            """
            return ask_json(engine, question, history, folder, tag)

        gr.api(ask, api_name="ask")
    # Waiting clients hear their place in the queue once a second, not after every
    # answer (that is a message to each waiting client per answer: 20 % of the CPU).
    demo.queue(default_concurrency_limit=concurrency, max_size=queue_size, status_update_rate=1.0)
    return demo


def _notes_changed(engine: Engine, seen: str, current: str) -> tuple:
    """The notes list, scope choices and signature when the index changed, else nothing."""
    searcher = engine.searcher
    if searcher is None or scoping.signature(searcher) == seen:
        return gr.skip(), gr.skip(), gr.skip()
    options = scoping.choices(searcher)
    keep = current if any(v == current for _, v in options) else scoping.ALL
    return (
        cards.notes_html(engine.notes()),
        gr.Dropdown(choices=options, value=keep),
        scoping.signature(searcher),
    )


def _lang(request: gr.Request | None) -> str:
    return (request.headers.get("accept-language", "") if request else "") or "en"


def _secret(engine: Engine) -> str:
    # BrowserState encrypts with this; a stable value lets a conversation
    # survive a server restart, and one per index keeps note sets apart.
    seed = f"notechat:{Path(engine.settings.index_dir).resolve()}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32]

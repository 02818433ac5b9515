"""The page in a real Chromium with the real model: ask, cite, reveal, copy, stay safe and offline.

Needs Debian's `chromium` and `fonts-noto-cjk` (`make system-deps`); Playwright's
own browser download is not used. Gradio keeps a stream open, so every wait is
for an element or a text, never for "networkidle"; no wait depends on how fast
the machine is beyond the generous WAIT.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chatbot import ui
from chatbot.config import Settings
from chatbot.engine import Engine

from ..conftest import ROOT, SEED_NOTE
from .test_ui_api import running

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOT = ROOT / "tests" / "artifacts" / "ui.png"
XSS = "<img src=x onerror=alert(1)>"
WAIT = 60_000  # ms; an answer with the real model takes a few seconds on a busy machine


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(
            "chromium is not installed (make system-deps installs chromium and fonts-noto-cjk)"
        )
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose requests, dialogs and console errors are recorded."""

    def __init__(self, context):
        self.page = context.new_page()
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def check_safe_and_offline(self) -> None:
        assert self.dialogs == []
        hosts = {
            urlparse(u).hostname for u in self.requests if not u.startswith(("data:", "blob:"))
        }
        assert hosts <= {"127.0.0.1", "localhost"}, f"requests off this machine: {hosts}"
        assert not [e for e in self.errors if "Content Security Policy" in e], self.errors


def send(page, question: str) -> None:
    """Type a question and press Enter, without waiting for its answer.

    Returns once the box has taken the question (it is cleared), as a person
    types the next one: typing into the box within the same milliseconds as
    Enter would race the clearing of the box, not the answering.
    """
    box = page.locator("#nc-input textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        "document.querySelector('#nc-input textarea').value === ''", timeout=WAIT
    )


def test_chat_in_the_browser(browser, real_engine):
    with running(ui.build_app(real_engine)) as url:
        origin = url.rstrip("/")
        context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        w = Watched(context)
        page = w.page
        page.goto(url)

        # The page follows the browser's language (gr.I18n).
        page.wait_for_function(
            "document.querySelector('#nc-send')?.innerText.trim() === '发送'", timeout=WAIT
        )
        assert "来源" in page.locator("#nc-sources-panel").inner_text()

        # Two questions sent back to back are both answered, in order.
        send(page, "什么是PGC？")
        send(page, "How long does Magic3D take to generate a 3D model?")
        page.wait_for_selector("#nc-turn-2", timeout=WAIT)
        chat = page.locator("#nc-chat")
        users = chat.locator("[data-testid='user']")
        assert [users.nth(i).inner_text().strip() for i in range(users.count())] == [
            "什么是PGC？",
            "How long does Magic3D take to generate a 3D model?",
        ]
        bots = chat.locator("[data-testid='bot']")
        assert bots.count() == 2 and "PGC" in bots.nth(0).inner_text()
        assert bots.nth(1).locator('a[href="#source-2-1"]').count() == 1
        assert page.locator("#source-2-1 blockquote mark").count() == 1
        # Each card has its "open" link: the note's file URL at the quoted line.
        href = page.locator("#source-2-1 a.nc-open").get_attribute("href")
        assert re.fullmatch(r"file:///\S+\.md#L\d+", href or ""), href
        assert page.locator("#nc-turn-1").get_attribute("open") is None  # older answer folded

        # A marker of the first answer unfolds, highlights and shows its source.
        first = page.locator("#source-1-1")
        bots.nth(0).locator('a[href="#source-1-1"]').click()
        page.wait_for_function(
            "document.querySelector('#source-1-1:target') && "
            "document.querySelector('#nc-turn-1').open",
            timeout=WAIT,
        )
        assert first.is_visible() and "PGC" in first.locator("blockquote mark").inner_text()
        assert first.evaluate(
            """el => { const r = el.getBoundingClientRect(),
                         p = document.getElementById('nc-sources-panel').getBoundingClientRect();
                       return r.bottom > Math.max(0, p.top)
                           && r.top < Math.min(innerHeight, p.bottom); }"""
        )
        # "Show in note" reveals the note around the quote.
        first.locator("details.nc-context > summary").click()
        first.locator("mark.nc-here").wait_for(state="visible", timeout=WAIT)

        # Gradio's own copy button copies the text with its citations, not markup.
        chat.locator(".message-buttons-left button").first.click()  # the first answer's
        copied = page.evaluate("navigator.clipboard.readText()")
        assert "PGC”[1]" in copied and "<" not in copied  # the quote, its marker
        assert "[1]: #source-1-1" in copied and "aigc-reading-note.md:" in copied

        # HTML in a question is text, never an element.
        send(page, XSS)
        page.wait_for_selector("#nc-turn-3", timeout=WAIT)
        assert chat.get_by_text(XSS, exact=True).count() >= 1
        assert page.locator("img[src='x'], #nc-chat img, #nc-sources-panel img").count() == 0

        # The conversation and its sources survive a reload (kept in the browser).
        page.reload()
        page.wait_for_selector("#nc-turn-3", timeout=WAIT)
        assert page.locator("#nc-chat [data-testid='user']").count() == 3
        assert page.locator("#source-1-1 blockquote mark").count() == 1

        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)

        # Gradio's settings switch the language, our source cards included.
        page.locator("footer").get_by_text("设置").click()
        page.locator("input[aria-label='Language']").click()
        page.locator("[id$='-options'] li", has_text="English").first.click()
        page.wait_for_function(
            "document.querySelector('#nc-send')?.innerText.trim() === 'Send'", timeout=WAIT
        )
        panel = page.locator("#nc-sources-panel").inner_text()
        assert "Sources" in panel and "来源" not in panel
        context.close()
    w.check_safe_and_offline()
    assert Path(SCREENSHOT).stat().st_size > 10_000


HOSTILE = "<img src=x onerror=alert(1)>![](http://remote.example/x.png)[点我](javascript:alert(1))"
FACT = f"独角兽咖啡馆的招牌饮品是薰衣草燕麦拿铁{HOSTILE}，每天只卖九十九杯。"


def test_a_hostile_note_uploaded_in_the_page_reads_as_text(browser, real_engine, tmp_path):
    # Its own index (the shared engine's stays as it is), reusing the cached vectors.
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(SEED_NOTE, notes / SEED_NOTE.name)
    shutil.copytree(real_engine.settings.index_dir / "cache", tmp_path / "index" / "cache")
    settings = Settings(
        index_dir=tmp_path / "index", notes=(str(notes),), upload_dir=tmp_path / "up"
    )
    engine = Engine(settings, embedder=real_engine.embedder, say=lambda m: None)
    engine.build(list(settings.notes))
    engine.open()
    evil = tmp_path / "incoming" / "evil.md"
    evil.parent.mkdir()
    evil.write_text(f"# 咖啡\n\n{FACT}\n", "utf-8")

    with running(ui.build_app(engine)) as url:
        context = browser.new_context(locale="en-US")
        w = Watched(context)
        page = w.page
        page.goto(url)
        page.locator("#nc-upload input[type=file]").set_input_files(str(evil))
        page.locator("#nc-notes", has_text="evil.md").wait_for(timeout=WAIT)

        send(page, "独角兽咖啡馆的招牌饮品是什么？")
        page.wait_for_selector("#nc-turn-1", timeout=WAIT)
        answer = page.locator("#nc-chat [data-testid='bot']").first.inner_text()
        assert f"拿铁{XSS}" in answer  # quoted, and shown as the note's literal text
        assert HOSTILE in page.locator("#source-1-1 blockquote").inner_text()
        assert page.locator("#nc-chat img, #nc-sources-panel img").count() == 0
        assert page.locator("#nc-chat a").count() == 1  # only the marker is a link
        context.close()
    w.check_safe_and_offline()

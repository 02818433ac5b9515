"""The scope selector and a watched folder in a real Chromium (fake embedder: the page is tested).

Every wait is for an element or a text, with the generous WAIT of the browser tests.
"""

from __future__ import annotations

import pytest

from chatbot import live, ui
from chatbot.config import Settings
from chatbot.engine import Engine

from ..conftest import FakeEmbedder
from ..index.test_scope import make_notes
from .test_ui_api import running
from .test_ui_browser import ARGS, CHROMIUM, WAIT, Watched, browser, send  # noqa: F401

pytestmark = pytest.mark.slow


def choose(page, label: str) -> None:
    page.locator("#nc-scope input").click()
    page.locator("[id$='-options'] li", has_text=label).first.click()


def options(page) -> list[str]:
    page.locator("#nc-scope input").click()
    page.locator("[id$='-options'] li").first.wait_for(timeout=WAIT)
    texts = page.locator("[id$='-options'] li").all_inner_texts()
    page.keyboard.press("Escape")
    page.locator("#nc-input textarea").focus()  # the selector closed and left, as a person would
    return [t.strip().removeprefix("✓").strip() for t in texts]  # ✓ marks the chosen one


def test_scope_selector_and_a_watched_folder_in_the_page(browser, tmp_path):  # noqa: F811
    notes = make_notes(tmp_path)
    settings = Settings(index_dir=tmp_path / "ix", notes=(str(notes),), upload_dir=tmp_path / "up")
    engine = Engine(settings, embedder=FakeEmbedder(), say=lambda m: None).open()
    watcher = live.engine_watcher(engine, lambda m: None).start()
    try:
        with running(ui.build_app(engine)) as url:
            context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
            w = Watched(context)
            page = w.page
            page.goto(url)
            page.locator("#nc-scope").wait_for(timeout=WAIT)
            assert {"All notes · 全部笔记", "📁 notes/work", "# garden"} <= set(options(page))

            page.locator("#nc-scores input").check()  # the passages table names every note
            choose(page, "# garden")
            send(page, "What is the budget?")
            page.wait_for_selector("#nc-turn-1 table", timeout=WAIT)
            table = page.locator("#nc-turn-1 table").inner_text()
            assert "garden.md" in table and "alpha.md" not in table and "beta.md" not in table

            # A note saved into the folder appears in the list and the scopes, no reload.
            (notes / "recipes").mkdir()
            (notes / "recipes" / "soup.md").write_text(
                "---\ntags: [cooking]\n---\n# Soup\n\nThe soup budget is five euros.\n", "utf-8"
            )
            page.wait_for_function(
                "document.querySelector('#nc-notes')?.innerText.includes('soup.md')",
                timeout=WAIT,
            )
            assert {"📁 notes/recipes", "# cooking"} <= set(options(page))
            choose(page, "📁 notes/recipes")
            send(page, "What is the soup budget?")
            page.wait_for_selector("#nc-turn-2 table", timeout=WAIT)
            table = page.locator("#nc-turn-2 table").inner_text()
            assert "soup.md" in table and "garden.md" not in table
            context.close()
        w.check_safe_and_offline()
    finally:
        watcher.stop()

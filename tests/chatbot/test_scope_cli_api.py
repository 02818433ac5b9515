"""Scoped questions through `ask --in/--tag`, `/ask` and the page's selector."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gradio_client import Client

from chatbot import chat, cli, scoping, ui
from chatbot.config import Settings
from chatbot.engine import Engine

from ..conftest import FakeEmbedder
from ..index.test_scope import make_notes
from .test_ui_api import running

QUESTION = "What is the budget?"


@pytest.fixture
def run(monkeypatch, fake_embedder, tmp_path, capsys):
    notes = make_notes(tmp_path)
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    monkeypatch.setenv("NOTECHAT_NOTES", str(notes))
    monkeypatch.setenv("NOTECHAT_UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.chdir(tmp_path)
    ix = str(tmp_path / "ix")

    def _run(*argv):
        code = cli.main([*argv, "--index-dir", ix])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def names(result: dict) -> set[str]:
    return {Path(p["note"]).name for p in result["passages"]} | {
        Path(c["note"]).name for c in result["citations"]
    }


def test_cli_ask_in_a_folder_or_a_tag(run):
    assert run("index")[0] == 0
    code, out, _ = run("ask", QUESTION, "--json")
    assert code == 0 and names(json.loads(out)) == {"alpha.md", "beta.md", "garden.md"}
    code, out, _ = run("ask", QUESTION, "--json", "--in", "notes/home")  # from the working folder
    assert code == 0 and names(json.loads(out)) == {"garden.md"}
    code, out, _ = run("ask", QUESTION, "--json", "--tag", "project")
    assert code == 0 and names(json.loads(out)) == {"alpha.md"}
    code, out, _ = run("ask", QUESTION, "--in", "work", "--tag", "garden")
    assert code == 2 and out == ""


def test_cli_unknown_scope_is_one_line_exit_2(run):
    assert run("index")[0] == 0
    code, out, err = run("ask", QUESTION, "--tag", "cooking")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "notechat: no indexed note has the tag #cooking; tags: AI, garden, project, project/alpha"
    ]
    code, _, err = run("ask", "--jsonl", "--in", "nowhere")
    assert code == 2 and "no indexed note in folder nowhere" in err


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("scope-api")
    notes = make_notes(root)
    settings = Settings(index_dir=root / "ix", notes=(str(notes),), upload_dir=root / "up")
    engine = Engine(settings, embedder=FakeEmbedder(), say=lambda m: None).open()
    with running(ui.build_app(engine)) as url:
        yield engine, Client(url, verbose=False)


def test_api_ask_takes_folder_and_tag(served):
    engine, client = served
    every = client.predict(QUESTION, [], api_name="/ask")
    assert names(every) == {"alpha.md", "beta.md", "garden.md"}
    assert names(client.predict(QUESTION, [], "work", None, api_name="/ask")) == {
        "alpha.md",
        "beta.md",
    }
    assert names(client.predict(QUESTION, [], None, "garden", api_name="/ask")) == {"garden.md"}
    assert names(client.predict(QUESTION, None, "", "AI", api_name="/ask")) == {"alpha.md"}
    with pytest.raises(Exception, match="no indexed note has the tag #cooking"):
        client.predict(QUESTION, [], None, "cooking", api_name="/ask")


def test_page_selector_offers_folders_and_tags_and_scopes_answers(served):
    engine, _ = served
    options = dict((v, label) for label, v in scoping.choices(engine.searcher))
    notes = Path(engine.settings.notes[0])
    assert options[""] == scoping.ALL_LABEL
    assert options[f"folder:{notes / 'home'}"] == "📁 notes/home"
    assert options["tag:project/alpha"] == "# project/alpha"
    asked = [{"id": "1", "q": QUESTION}]
    got = chat.answer_pending(engine, asked, {}, f"folder:{notes / 'home'}")
    assert {Path(c["note"]).name for c in got["1"]["citations"]} <= {"garden.md"}
    assert {Path(p["note"]).name for p in got["1"]["passages"]} == {"garden.md"}
    refused = chat.answer_pending(engine, asked, {}, "tag:cooking")["1"]
    assert "no indexed note has the tag #cooking" in json.dumps(refused, ensure_ascii=False)

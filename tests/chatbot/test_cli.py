"""The command-line contract: output shapes, exit codes, messages."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from chatbot import cli

from ..conftest import DEV_QUESTIONS, ROOT


@pytest.fixture
def run(monkeypatch, fake_embedder, notes_dir, tmp_path, capsys):
    """Call the CLI in-process with the fake embedder and a temporary index."""
    monkeypatch.setattr("chatbot.engine.load_embedder", lambda name: fake_embedder)
    monkeypatch.setenv("NOTECHAT_NOTES", str(notes_dir))
    monkeypatch.setenv("NOTECHAT_UPLOAD_DIR", str(tmp_path / "uploads"))
    ix = str(tmp_path / "ix")

    def _run(*argv, stdin=""):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = cli.main([*argv, "--index-dir", ix])
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def test_index_reports_chunks_and_seconds(run):
    code, out, err = run("index")
    assert code == 0
    assert "indexed 1 note(s)" in out and " chunks in " in out and " s " in out


def test_ask_json_has_the_documented_fields(run):
    code, out, _ = run("ask", "什么是PGC？", "--json")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) >= {"id", "question", "answer", "confidence", "citations", "passages"}
    assert obj["confidence"] in ("high", "low", "none")
    p = obj["passages"][0]
    assert set(p) >= {"rank", "text", "note", "section", "start", "end", "line", "score", "scores"}
    assert set(p["scores"]) == {"lexical", "dense", "fused"}
    assert [q["rank"] for q in obj["passages"]] == list(range(1, len(obj["passages"]) + 1))
    note = open(p["note"], encoding="utf-8").read()
    assert note[p["start"] : p["end"]] == p["text"]


def test_ask_readable_shows_answer_then_citations(run):
    code, out, _ = run("ask", "什么是PGC？")
    assert code == 0
    assert "[1]" in out and "aigc.md:" in out and "“" in out


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_exits_2_with_one_line(run, question):
    code, out, err = run("ask", question)
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "empty" in err


def test_too_long_question_is_refused(run):
    code, _, err = run("ask", "问" * 5000)
    assert code == 2 and "too long" in err


def test_jsonl_answers_in_order_and_reports_bad_lines(run):
    lines = "\n".join(
        [
            json.dumps({"id": "a", "question": "什么是PGC？"}, ensure_ascii=False),
            "{not json",
            json.dumps(
                {"id": "b", "question": "它是谁提出的？", "history": ["什么是UGC？"]},
                ensure_ascii=False,
            ),
            json.dumps({"id": "c", "question": "  "}),
        ]
    )
    code, out, err = run("ask", "--jsonl", stdin=lines + "\n")
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", None, "b", "c"]
    assert "answer" in rows[0] and "error" in rows[1] and "answer" in rows[2] and "error" in rows[3]
    assert "line 2" in err and "line 4" in err
    assert code == 2


def test_missing_note_path_is_a_clear_error(run, tmp_path):
    code, out, err = run("index", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err


def test_eval_prints_metrics_per_kind(run):
    code, out, _ = run("eval", str(DEV_QUESTIONS))
    assert code == 0
    for word in ("hit@1", "hit@5", "MRR@10", "lexical", "paraphrase", "crosslingual", "answerable"):
        assert word in out


def test_help_names_every_command():
    out = subprocess.run(
        [sys.executable, "-m", "chatbot", "--help"], capture_output=True, text=True, cwd=ROOT
    ).stdout
    for cmd in ("index", "ask", "eval", "serve"):
        assert cmd in out


@pytest.mark.slow
def test_real_model_end_to_end_through_jsonl(tmp_path):
    """The default model, a fresh index and `ask --jsonl` in a subprocess."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", NOTECHAT_UPLOAD_DIR=str(tmp_path / "up"))
    ix = str(tmp_path / "ix")
    subprocess.run(
        [sys.executable, "-m", "chatbot", "index", "--index-dir", ix],
        check=True,
        cwd=ROOT,
        env=env,
        capture_output=True,
    )
    qs = [
        {"id": "1", "question": "百度的数字人平台叫什么名字？"},
        {"id": "2", "question": "What is the name of Baidu's digital human platform?"},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "chatbot", "ask", "--jsonl", "--index-dir", ix],
        input="\n".join(json.dumps(q, ensure_ascii=False) for q in qs),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    rows = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["1", "2"]
    for r in rows:
        assert any("曦灵" in p["text"] for p in r["passages"][:5])
        assert r["citations"] and "[1]" in r["answer"]

"""Watched folders with the real model, `index --watch` and `serve` each in a process of its own.

Waits are for conditions (`eventually`), never for the machine's speed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT
from .test_watch import _sha, eventually, write


@pytest.mark.slow
def test_real_model_index_watch_in_its_own_process(tmp_path):
    """`index --watch` with the default model: an edit is indexed and answerable; Ctrl-C → 0."""
    notes, ix = tmp_path / "notes", tmp_path / "ix"
    write(notes / "work" / "kiwi.md", "# Kiwi\n\nThe kiwi code is 1111.\n")
    write(notes / "home" / "plum.md", "# Plum\n\nThe plum code is 3333.\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "chatbot"]
    proc = subprocess.Popen(
        [*cmd, "index", "--watch", str(notes), "--index-dir", str(ix)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert "watching" in proc.stdout.readline() + proc.stdout.readline()
        first = _sha(ix, "kiwi.md")
        write(notes / "work" / "kiwi.md", "# Kiwi\n\nThe kiwi code is 5678 since May.\n")
        eventually(lambda: _sha(ix, "kiwi.md") not in (None, first), "re-indexed")
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    out = subprocess.run(
        [*cmd, "ask", "What is the kiwi code?", "--json", "--in", "work", "--index-dir", str(ix)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    passages = json.loads(out)["passages"]
    assert passages and all(Path(p["note"]).name == "kiwi.md" for p in passages)
    assert "5678" in passages[0]["text"]


@pytest.mark.slow
def test_serve_in_its_own_process_answers_the_edit(tmp_path, monkeypatch):
    """`serve` with the default model watches its notes: edit, then delete, through /ask."""
    from gradio_client import Client

    from scripts.bench import load

    notes = tmp_path / "notes"
    write(notes / "work" / "kiwi.md", "# Kiwi\n\nThe kiwi code is 1111.\n")
    write(notes / "home" / "plum.md", "# Plum\n\nThe plum code is 3333.\n")
    monkeypatch.setenv("NOTECHAT_NOTES", str(notes))

    def passages(client, question, folder=None) -> str:
        r = client.predict(question, [], folder, None, api_name="/ask")
        return "\n".join(f"{Path(p['note']).name}: {p['text']}" for p in r["passages"])

    with load.Server(index_dir=tmp_path / "ix") as srv:
        assert "watching" in srv.log[-1]
        client = Client(srv.url, verbose=False)
        assert "1111" in passages(client, "What is the kiwi code?")
        write(notes / "work" / "kiwi.md", "# Kiwi\n\nThe kiwi code is 5678 since May.\n")
        eventually(lambda: "5678" in passages(client, "What is the kiwi code?"), "answerable")
        assert "plum.md" not in passages(client, "What is the plum code?", "work")
        (notes / "home" / "plum.md").unlink()
        eventually(lambda: "plum.md" not in passages(client, "What is the plum code?"), "gone")

"""Concurrent clients against `serve` in its own process: every question answered.

The full run (50 clients × 20 questions, and a flooded 2-slot queue) is
`python -m scripts.bench.load` in `make bench`; that a full queue answers
"busy" is tests/chatbot/test_ui_api.py::test_overload_says_busy.
"""

from __future__ import annotations

import pytest

from scripts.bench import load


@pytest.mark.slow
def test_concurrent_clients_all_answered(real_engine):
    with load.Server(index_dir=real_engine.settings.index_dir) as srv:
        res = load.run_load(srv.url, srv.proc.pid, clients=12, each=4)
    assert res["errors"] == 0, res["error_samples"]
    assert res["answered"] == 48

"""Concurrent clients on one loopback server: no errors; overload says "busy" quickly.

The full 50 clients x 20 questions run is `scripts/load_test.py` (make bench).
"""

from __future__ import annotations

import sys
import time

import pytest

from ..conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import load_test  # noqa: E402


@pytest.mark.slow
def test_concurrent_clients_all_answered(real_engine):
    url, demo = load_test.start_server(real_engine)
    try:
        res = load_test.run_load(url, clients=12, questions=4, timeout=240)
    finally:
        demo.close()
    assert res["errors"] == 0, res["error_samples"]
    assert res["answered"] == 48


@pytest.mark.slow
def test_overload_gets_a_clear_busy_answer_not_a_hang(real_engine):
    t0 = time.perf_counter()
    res = load_test.overload(real_engine, burst=20)
    assert time.perf_counter() - t0 < 90
    assert res["answered"] >= 1 and res["errors"] >= 1
    assert all("full" in e.lower() or "busy" in e.lower() for e in res["error_samples"])

"""Gradio, imported once with notechat's settings: import `gr` from here.

Gradio reads these when it is imported: no telemetry, and no per-event
analytics summary (by default it rebuilds a pandas table of up to 10,000 past
events after every event, which under load costs more than the answers).
"""

from __future__ import annotations

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(2**31))

import gradio as gr  # noqa: E402

__all__ = ["gr"]

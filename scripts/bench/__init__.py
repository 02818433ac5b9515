"""`make bench`: how good and how fast notechat is on this machine, written to bench/.

One module per benchmark, each with `run(...)` returning plain dicts and
`markdown(...)` describing them; `report` writes bench/results.json, the plots
and bench/report.md. `python -m scripts.bench --help` lists the parts.

1. cmrc_trial: CMRC 2018 trial as notes: builds, quality against BM25 alone and
   cosine alone, `ask` latency, memory.
2. embed: embedding speed of the C and torch engines; a question under load.
3. incremental: re-indexing 1,000 notes after editing one.
4. scale: exact and HNSW dense search, hybrid retrieval at 100,000 chunks.
5. load: 50 clients × 20 questions against `serve` in its own process.
6. chat: one user in Chromium, Enter to the complete answer.
"""

"""The notebooks run top to bottom on the project's own Python, and are committed clean."""

from __future__ import annotations

import ast
import sys

import nbformat
import pytest

from ..conftest import ROOT, SHARED

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RETRIEVAL_EVAL = ROOT / "notebooks" / "retrieval_eval.ipynb"
# Notebooks import the project's packages, not code of their own (STYLE.md).
ALLOWED_IMPORTS = {"chatbot", "index", "scripts", "numpy", "matplotlib", "IPython"}


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_there_is_a_notebook():
    assert RETRIEVAL_EVAL in NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs(path):
    for cell in code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, (
            f"{path.name}: outputs committed; clear them before committing"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_only_the_packages(path):
    for cell in code_cells(path):
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                allowed = top in ALLOWED_IMPORTS or top in sys.stdlib_module_names
                assert allowed, f"{path.name} imports {name}"


@pytest.fixture(scope="module")
def kernel_path(tmp_path_factory):
    """A kernelspec that runs this interpreter (the venv's), whatever kernels the machine has."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("jupyter")
    install(kernel_name="notechat-venv", prefix=str(prefix))
    return prefix / "share" / "jupyter"


@pytest.mark.slow
@pytest.mark.skipif(not (SHARED / "eval").is_dir(), reason="no ../shared/eval question sets")
def test_retrieval_eval_runs_and_saves_its_plots(kernel_path, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv("JUPYTER_PATH", str(kernel_path))
    monkeypatch.setenv("NOTECHAT_PLOTS_DIR", str(tmp_path))  # leave docs/*.png as committed
    # A fresh clone has no CMRC index: 12 articles keep the build to seconds, not minutes.
    monkeypatch.setenv("NOTECHAT_CMRC_ARTICLES", "12")
    nb = nbformat.read(RETRIEVAL_EVAL, as_version=4)
    # A fresh clone builds the indexes inside the cells.
    client = NotebookClient(
        nb,
        kernel_name="notechat-venv",
        timeout=900,
        resources={"metadata": {"path": str(RETRIEVAL_EVAL.parent)}},
    )
    client.execute()  # raises CellExecutionError, with the traceback, at the first failing cell
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    for name in ("hitk.png", "latency.png"):
        assert (tmp_path / name).stat().st_size > 0, name

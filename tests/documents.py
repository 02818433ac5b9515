"""Real documents made by the tests: PDFs (reportlab), Word files (python-docx), a web page and
an Obsidian vault, each with facts the questions of the tests ask about."""

from __future__ import annotations

import io
import json
from pathlib import Path

PDF_FACTS = [  # one list of lines per page
    [
        "Reactor Handbook",
        "The cooling loop of the Aurora reactor runs at 300 kelvin.",
        "Operators check the loop pressure every morning.",
    ],
    [
        "The backup pump of the Aurora reactor was installed in 2019.",
        "Its impeller is made of titanium.",
    ],
    ["极光反应堆的控制室位于北楼三层。", "值班员每四小时巡检一次。"],
]
HTML_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Garden Diary</title>
<style>.tomato { color: red } body::before { content: "stylesheet words" }</style>
<script>var secret = "script words must not be indexed";</script></head>
<body><header><a href="/">Home</a> <a href="/blog">Site header link text</a></header>
<nav><ul><li><a href="/a">Navigation menu entry</a></li></ul></nav>
<main><article><h1>Garden Diary</h1>
<h2>Tomatoes</h2><p>The cherry tomatoes ripened on the <b>twelfth of August</b>.</p>
<h2>Compost</h2><h3>Turning</h3><p>The compost heap is turned every second Sunday.</p>
<p>Notes &amp; tips: keep it moist.</p></article></main>
<aside>Sidebar advert text</aside><footer>Footer copyright text 2024</footer></body></html>
"""
VAULT_NOTES = {
    "Projects/Alpha.md": (
        "---\ntags: [project, research]\n---\n# Alpha\n\n"
        "Alpha studies [[Beta|the second experiment]] and ![[Gamma]] in detail.\n"
        "The Alpha probe measured a salinity of 35 grams per litre. #ocean #data/raw\n\n"
        "> [!note] Field season\n"
        "> The field season of Alpha ends in October.\n\n"
        "![[chart.png]]\n"
        "```\n#notatag [[Raw]]\n```\n"
    ),
    "Beta.md": "# Beta\n\nBeta is the second experiment, run on [[Projects/Alpha#Results]].\n",
    "Gamma.md": "# Gamma\n\nGamma holds the calibration tables. Tags: #calibration\n",
    "templates/Daily.md": "# {{date}}\n\nTemplate text that must not be indexed.\n",
    ".trash/Old.md": "# Old\n\nTrashed text that must not be indexed.\n",
    ".obsidian/workspace.md": "# ws\n\nSettings text that must not be indexed.\n",
}


def make_pdf(path: Path, pages: list[list[str]] = PDF_FACTS, title: str = "") -> Path:
    """A PDF with a text layer, one list of lines per page; Chinese through a built-in CID font."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    if title:
        c.setTitle(title)
    for lines in pages:
        for i, line in enumerate(lines):
            c.setFont("STSong-Light" if any(ord(ch) > 0x2E80 for ch in line) else "Helvetica", 11)
            c.drawString(72, 760 - 18 * i, line)
        c.showPage()
    c.save()
    return path


def make_scanned_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF like a scanner's: each page only an image of text, no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(img).text((20, 80), "This text is only pixels.", fill=0)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    c = canvas.Canvas(str(path))
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), 72, 500, width=450, height=150)
        c.showPage()
    c.save()
    return path


def make_docx(path: Path) -> Path:
    import docx

    d = docx.Document()
    d.add_heading("Lab Manual", 0)
    d.add_paragraph("This manual describes the lab's routines.")
    d.add_heading("Safety", 1)
    d.add_paragraph("Goggles are worn at every bench.")
    d.add_heading("Spills", 2)
    d.add_paragraph("Acid spills are neutralised with sodium bicarbonate.")
    d.add_heading("Equipment", 1)
    d.add_paragraph("The centrifuge spins at 4000 revolutions per minute.")
    t = d.add_table(rows=2, cols=2)
    for (r, col), value in {
        (0, 0): "Item",
        (0, 1): "Room",
        (1, 0): "Freezer",
        (1, 1): "B12",
    }.items():
        t.cell(r, col).text = value
    d.save(str(path))
    return path


def make_vault(root: Path, templates_json: str | None = None) -> Path:
    (root / ".obsidian").mkdir(parents=True)
    if templates_json is not None:
        (root / ".obsidian" / "templates.json").write_text(templates_json)
    for rel, text in VAULT_NOTES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


def make_mixed(folder: Path) -> dict[str, Path]:
    """A folder of every format: a PDF, a scanned PDF, a web page, a Word file, a vault."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "pdf": make_pdf(folder / "handbook.pdf"),
        "scanned": make_scanned_pdf(folder / "scan.pdf"),
        "html": folder / "garden.html",
        "docx": make_docx(folder / "manual.docx"),
        "md": folder / "plain.md",
        "vault": make_vault(folder / "My Vault", json.dumps({"folder": "templates"})),
    }
    files["html"].write_text(HTML_PAGE, encoding="utf-8")
    files["md"].write_text("# Plain\n\nThe kettle boils in ninety seconds.\n", encoding="utf-8")
    return files

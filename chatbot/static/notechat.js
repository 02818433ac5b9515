() => {
  // Runs once per page (Gradio's `js` hook). Listeners sit on the document so
  // they keep working while Gradio re-renders the chat and the sources panel.
  if (window.__notechat) return;
  window.__notechat = true;

  // Keep the "show in note" box scrolled to its highlighted quote.
  const centerQuote = (details) => {
    const box = details.querySelector(".nc-note");
    const mark = details.querySelector("mark.nc-here");
    if (box && mark) box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
  };

  // A marker [n] reveals its source: unfold its answer's block, highlight it,
  // and scroll it into view.
  const reveal = (id) => {
    const card = id && document.getElementById(id);
    if (!card) return;
    for (let el = card.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    document.querySelectorAll(".nc-source.nc-active").forEach((el) => el.classList.remove("nc-active"));
    card.classList.add("nc-active");
    card.scrollIntoView({ block: "center" });
  };

  document.addEventListener(
    "click",
    (ev) => {
      const link = ev.target instanceof Element ? ev.target.closest("a.nc-cite") : null;
      if (!link) return;
      ev.preventDefault();
      ev.stopPropagation();
      // The chat's sanitiser keeps href but drops data-* attributes.
      reveal((link.getAttribute("href") || "").replace(/^#/, ""));
    },
    true,
  );

  // Chat messages are our HTML; the chat's copy buttons would copy that
  // markup. Copy the text instead, with each marker's source after it.
  const toPlain = (text) => {
    if (typeof text !== "string" || !text.includes('class="nc-')) return text;
    // DOMParser documents are inert: no scripts run, no images load.
    const doc = new DOMParser().parseFromString(text, "text/html");
    doc.querySelectorAll(".nc-banner").forEach((el) => el.append("\n"));
    const answers = doc.querySelectorAll(".nc-answer").length;
    const refs = [...doc.querySelectorAll("a.nc-cite")].map((a) => `${a.textContent} ${a.title}`);
    const body = (doc.body.textContent || "").trim();
    return answers === 1 && refs.length ? `${body}\n\n${refs.join("\n")}` : body;
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    const write = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text) => write(toPlain(text));
  }
  // Without the clipboard API (plain http off localhost) Gradio copies from a textarea.
  document.addEventListener(
    "copy",
    (ev) => {
      const el = document.activeElement;
      if (el instanceof HTMLTextAreaElement && el.value.includes('class="nc-') && ev.clipboardData) {
        ev.clipboardData.setData("text/plain", toPlain(el.value));
        ev.preventDefault();
      }
    },
    true,
  );

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener(
    "toggle",
    (ev) => {
      const el = ev.target;
      if (el instanceof HTMLDetailsElement && el.classList.contains("nc-context") && el.open) {
        centerQuote(el);
      }
    },
    true,
  );
}

/* filiation's viewer: one script for the self-contained report and the served pages.
 *
 * The views come from a store: in report.html the store reads the data embedded in the page;
 * under `filiation serve` it asks the JSON API.  Both hand back the same view objects, built
 * by filiation/report/results.py.  Nothing from a document is ever parsed as HTML: every string
 * goes into the page through textContent or an attribute, so a document holding <script> or
 * onerror= shows as text.
 */
"use strict";
(function () {
  const PAGE = 100;
  const PALETTE = 8;
  const SEVERITY = { high: 0, medium: 1, low: 2 };

  // ---------- stores ----------------------------------------------------------------------

  function embeddedStore(bundle) {
    const docs = new Map(bundle.documents.map((d) => [d.id, d]));
    const pairs = new Map(bundle.pairs.map((p) => [p.a + "\u0000" + p.b, p]));
    const findings = bundle.findings;
    const rowOf = (p) => ({
      a: p.a, b: p.b, a_title: p.a_title, b_title: p.b_title, relation: p.relation,
      direction: p.direction, confidence: p.confidence, passages: p.passages, findings: p.findings,
    });
    const meta = (id, withText) => {
      const d = docs.get(id);
      if (!d) return { id: id, missing: true };
      const m = { id: d.id, title: d.title, date: d.date, source: d.source, url: d.url, length: d.length };
      if (withText) m.text = d.text;
      return m;
    };
    return {
      overview: async () => bundle.overview,
      pairs: async (q) => pairsPage(bundle.pairs.map(rowOf), q),
      pair: async (a, b) => {
        const p = pairs.get(a + "\u0000" + b) || pairs.get(b + "\u0000" + a);
        if (!p) return null;
        return Object.assign(rowOf(p), {
          evidence: p.evidence,
          documents: [meta(p.a, true), meta(p.b, true)],
          passages: p.passage_list.map((x) => ({
            a: p.a, b: p.b, a_start: x[0], a_end: x[1], b_start: x[2], b_end: x[3], kind: x[4], score: x[5],
          })),
          findings: p.finding_ids.map((k) => findings[k]),
        });
      },
      story: async (id) => bundle.stories[id] || null,
      document: async (id) => {
        if (!docs.has(id)) return null;
        const mine = bundle.pairs.filter((p) => p.a === id || p.b === id).map(rowOf);
        mine.sort((x, y) => y.confidence - x.confidence);
        return Object.assign(meta(id, true), {
          pairs: mine,
          findings: findings.filter((f) => f.derived === id || f.source === id),
          stories: Object.values(bundle.stories).filter((s) => s.documents.some((d) => d.id === id)).map((s) => s.id),
        });
      },
    };
  }

  function pairsPage(rows, q) {
    const needle = (q.text || "").toLowerCase();
    const minConf = Number(q.min_confidence || 0);
    let chosen = rows.filter((r) =>
      (!q.relation || r.relation === q.relation) && r.confidence >= minConf &&
      (!needle || ["a", "b", "a_title", "b_title"].some((k) => (r[k] || "").toLowerCase().includes(needle))));
    const sort = q.sort || "-confidence";
    const key = sort.replace(/^-/, "");
    const sign = sort.startsWith("-") ? -1 : 1;
    chosen.sort((x, y) => {
      const u = x[key], v = y[key];
      const c = u < v ? -1 : u > v ? 1 : (x.a < y.a ? -1 : x.a > y.a ? 1 : (x.b < y.b ? -1 : x.b > y.b ? 1 : 0));
      return sign * c;
    });
    const offset = /^\d+$/.test(q.offset || "") ? Number(q.offset) : 0;
    return { total: chosen.length, offset: offset, limit: PAGE, rows: chosen.slice(offset, offset + PAGE) };
  }

  function apiStore(base) {
    const get = async (path, params) => {
      const url = new URL(base + path, window.location.href);
      Object.entries(params || {}).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, v); });
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    };
    return {
      overview: () => get("overview"),
      pairs: (q) => get("pairs", { relation: q.relation, text: q.text, min_confidence: q.min_confidence, sort: q.sort, offset: q.offset, limit: PAGE }),
      pair: (a, b) => get("pair", { a: a, b: b }),
      story: (id) => get("story", { id: id }),
      document: (id) => get("document", { id: id }),
    };
  }

  // ---------- DOM helpers: text only, never markup ------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v === undefined || v === null || v === false) return;
      if (k === "class") node.className = v;
      else if (k === "onclick") node.addEventListener("click", v);
      else if (k.startsWith("data-") || ["href", "title", "id", "type", "value", "min", "max", "step", "placeholder", "target", "rel", "for"].includes(k)) node.setAttribute(k, String(v));
      else throw new Error("attribute not allowed: " + k);
    });
    children.flat().forEach((c) => { if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c)); });
    return node;
  }

  const user = (s) => el("bdi", { class: "u" }, s == null ? "" : String(s)); // a document's string, bidi-isolated
  const enc = encodeURIComponent;
  const pairHref = (a, b) => "#/pair/" + enc(a) + "/" + enc(b);
  const docHref = (id) => "#/doc/" + enc(id);
  const storyHref = (id) => "#/story/" + enc(id);
  const fmt = (x) => (typeof x === "number" ? x.toFixed(2) : "");
  const safeUrl = (u) => (typeof u === "string" && /^https?:\/\//i.test(u) ? u : null);

  function docLabel(meta) {
    return el("span", { class: "doc", title: meta.title || meta.id }, user(meta.id));
  }

  /* Title · date · source · link to the original (http/https only) · extra, whichever exist. */
  function metaLine(d, extra) {
    const url = safeUrl(d.url);
    const parts = [d.title ? user(d.title) : null, d.date ? user(d.date) : null, d.source ? user(d.source) : null,
      url ? el("a", { href: url, rel: "noopener noreferrer", target: "_blank" }, "original") : null, extra].filter(Boolean);
    return el("div", { class: "meta" }, ...parts.flatMap((part, k) => (k ? [" · ", part] : [part])));
  }

  // ---------- views -------------------------------------------------------------------------

  async function overviewView(store) {
    const o = await store.overview();
    const counts = el("div", { class: "counts" },
      ...[["document", "documents", o.documents], ["related pair", "related pairs", o.pairs], ["story", "stories", o.stories], ["finding", "findings", o.findings]]
        .map(([one, many, n]) => el("div", { class: "count" }, el("b", {}, String(n)), " " + (n === 1 ? one : many))));
    const relations = el("table", { class: "small" },
      el("tr", {}, el("th", {}, "relation"), el("th", {}, "pairs")),
      ...Object.entries(o.relations).map(([r, n]) => el("tr", {},
        el("td", {}, el("a", { href: "#/pairs?relation=" + enc(r) }, r)), el("td", { class: "num" }, String(n)))));
    const stories = el("ul", { class: "stories" }, ...o.story_list.map((s) => el("li", {},
      el("a", { href: storyHref(s.id) }, user(s.id)),
      ` ${s.documents} documents, ${s.edges} derivations` + (s.lost_sources ? `, ${s.lost_sources} lost source${s.lost_sources > 1 ? "s" : ""}` : ""))));
    return el("div", {},
      el("h1", {}, "Overview"), counts,
      el("div", { class: "columns" },
        el("section", {}, el("h2", {}, "Pairs by relation"), relations, el("p", {}, el("a", { href: "#/pairs" }, "All pairs →"))),
        el("section", {}, el("h2", {}, "Stories"), o.story_list.length ? stories : el("p", {}, "No story of two or more documents."))),
      el("section", {}, el("h2", {}, "Worst findings first"),
        o.worst_findings.length ? findingList(o.worst_findings, true) : el("p", {}, "The audit found nothing.")));
  }

  function findingList(findings, linkPairs) {
    const sorted = findings.slice().sort((x, y) => (SEVERITY[x.severity] ?? 3) - (SEVERITY[y.severity] ?? 3));
    return el("ol", { class: "findings" }, ...sorted.map((f) => el("li", { class: "finding-item sev-" + f.severity, "data-f": f.id },
      el("span", { class: "sev" }, f.severity), " ", el("b", {}, f.kind.replace(/_/g, " ")), " ",
      linkPairs ? el("a", { href: pairHref(f.source, f.derived) }, user(f.derived), " from ", user(f.source)) : null,
      el("div", { class: "explanation" }, user(f.explanation)),
      f.derived_text ? el("div", { class: "quote" }, "copy: ", user(f.derived_text)) : null,
      f.source_text ? el("div", { class: "quote" }, "source: ", user(f.source_text)) : null)));
  }

  async function pairsView(store, q) {
    const page = await store.pairs(q);
    const go = (change) => { location.hash = "#/pairs?" + new URLSearchParams(Object.entries(Object.assign({}, q, change)).filter(([, v]) => v !== undefined && v !== "" && v !== null)).toString(); };
    const relation = el("select", { id: "f-relation" }, el("option", { value: "" }, "any relation"),
      ...["duplicate", "edited_copy", "paraphrase", "summary", "same_event"].map((r) => {
        const o = el("option", { value: r }, r); if (q.relation === r) o.selected = true; return o;
      }));
    relation.addEventListener("change", () => go({ relation: relation.value, offset: 0 }));
    const text = el("input", { id: "f-text", type: "search", placeholder: "id or title contains", value: q.text || "" });
    text.addEventListener("change", () => go({ text: text.value, offset: 0 }));
    const conf = el("input", { id: "f-conf", type: "number", min: 0, max: 1, step: 0.05, value: q.min_confidence || 0 });
    conf.addEventListener("change", () => go({ min_confidence: conf.value, offset: 0 }));
    const cols = [["a", "a"], ["b", "b"], ["relation", "relation"], ["direction", null], ["confidence", "confidence"], ["passages", "passages"], ["findings", "findings"]];
    const sort = q.sort || "-confidence";
    const head = el("tr", {}, ...cols.map(([label, key]) => {
      if (!key) return el("th", {}, label);
      const now = sort.replace(/^-/, "") === key ? (sort.startsWith("-") ? " ▼" : " ▲") : "";
      return el("th", { class: "sortable", onclick: () => go({ sort: sort === "-" + key ? key : "-" + key, offset: 0 }) }, label + now);
    }));
    const rows = page.rows.map((r) => el("tr", { class: "pair-row", "data-a": r.a, "data-b": r.b, onclick: () => { location.hash = pairHref(r.a, r.b); } },
      el("td", { title: r.a_title || "" }, user(r.a)), el("td", { title: r.b_title || "" }, user(r.b)),
      el("td", {}, r.relation), el("td", {}, r.direction), el("td", { class: "num" }, fmt(r.confidence)),
      el("td", { class: "num" }, String(r.passages)), el("td", { class: "num" }, String(r.findings))));
    const offset = page.offset;
    const pager = el("div", { class: "pager" },
      offset > 0 ? el("button", { onclick: () => go({ offset: Math.max(0, offset - PAGE) }) }, "← previous") : null,
      ` ${page.total ? offset + 1 : 0}–${Math.min(offset + PAGE, page.total)} of ${page.total} `,
      offset + PAGE < page.total ? el("button", { onclick: () => go({ offset: offset + PAGE }) }, "next →") : null);
    return el("div", {}, el("h1", {}, "Pairs"),
      el("div", { class: "filters" }, relation, text, el("label", { for: "f-conf" }, " confidence ≥ "), conf),
      el("table", { class: "pairs" }, head, ...rows), pager);
  }

  /* Split a text at every mark boundary; each piece is a span carrying the passage and the
     findings that cover it, so overlapping marks never nest as markup. */
  function markedText(text, passages, findings) {
    const cuts = new Set([0, text.length]);
    passages.concat(findings).forEach((m) => { cuts.add(Math.max(0, Math.min(text.length, m.start))); cuts.add(Math.max(0, Math.min(text.length, m.end))); });
    const points = Array.from(cuts).sort((x, y) => x - y);
    const box = el("div", { class: "text" });
    const first = new Set();
    for (let i = 0; i + 1 < points.length; i++) {
      const s = points[i], e = points[i + 1];
      const piece = text.slice(s, e);
      const p = passages.find((m) => m.start <= s && e <= m.end);
      const fs = findings.filter((m) => m.start <= s && e <= m.end);
      if (!p && !fs.length) { box.append(piece); continue; }
      const classes = [];
      const attrs = {};
      if (p) {
        classes.push("psg", "c" + (p.index % PALETTE), p.kind);
        attrs["data-p"] = p.index;
        if (!first.has("p" + p.index)) { first.add("p" + p.index); attrs["data-first"] = "1"; }
      }
      if (fs.length) {
        classes.push("fmark", "sev-" + fs[0].severity);
        attrs["data-f"] = fs.map((f) => f.id).join(" ");
        attrs.title = fs.map((f) => f.kind.replace(/_/g, " ") + ": " + f.explanation).join("\n");
      }
      attrs.class = classes.join(" ");
      box.append(el("span", attrs, piece));
    }
    return box;
  }

  async function pairView(store, a, b) {
    const v = await store.pair(a, b);
    if (!v) return el("p", {}, "No such pair.");
    const [da, db] = v.documents;
    const sides = [da, db].map((d, side) => {
      const passages = v.passages.map((p, index) => ({
        index: index, kind: p.kind,
        start: side === 0 ? p.a_start : p.b_start, end: side === 0 ? p.a_end : p.b_end,
      }));
      const marks = [];
      v.findings.forEach((f) => {
        const span = f.derived === d.id ? f.derived_span : f.source === d.id ? f.source_span : null;
        if (span) marks.push({ id: f.id, kind: f.kind, severity: f.severity, explanation: f.explanation, start: span[0], end: span[1] });
      });
      const pane = el("div", { class: "pane", id: "pane-" + side }, markedText(d.text || "", passages, marks));
      return el("div", { class: "side" },
        el("h2", {}, el("a", { href: docHref(d.id) }, user(d.id))),
        metaLine(d), pane);
    });
    const arrow = { "a->b": `${da.id} → ${db.id}`, "b->a": `${db.id} → ${da.id}`, common_source: "both from a common source", unknown: "direction unknown" }[v.direction];
    const link = el("input", { type: "checkbox", id: "link-scroll" }); link.checked = true;
    const view = el("div", {},
      el("h1", {}, v.relation.replace(/_/g, " "), " ", el("span", { class: "conf" }, "confidence " + fmt(v.confidence))),
      el("p", { class: "direction" }, user(arrow), ` · ${v.passages.length} aligned passages · ${v.findings.length} findings`),
      el("div", { class: "legend" }, el("span", { class: "psg c0 verbatim" }, "verbatim"), " ", el("span", { class: "psg c0 paraphrase" }, "paraphrase"), " ",
        el("span", { class: "fmark sev-high" }, "audit finding"), " ", el("label", { for: "link-scroll" }, link, " link scrolling")),
      el("div", { class: "sides" }, ...sides),
      v.findings.length ? el("section", {}, el("h2", {}, "Findings"), findingList(v.findings, false)) : null,
      evidenceTable(v.evidence));
    linkPanes(view, link);
    return view;
  }

  function evidenceTable(e) {
    if (!e) return null;
    return el("details", {}, el("summary", {}, "Evidence"),
      el("table", { class: "small" }, ...Object.entries(e).map(([k, x]) => el("tr", {}, el("td", {}, k.replace(/_/g, " ")), el("td", { class: "num" }, typeof x === "number" && !Number.isInteger(x) ? x.toFixed(3) : String(x))))));
  }

  /* Clicking a passage brings its counterpart level with it; scrolling one pane keeps the
     first passage in view matched on the other side (while "link scrolling" is ticked). */
  function linkPanes(view, checkbox) {
    const panes = [view.querySelector("#pane-0"), view.querySelector("#pane-1")];
    let quietUntil = 0;
    const counterpart = (pane, index) => pane.querySelector(`[data-p="${index}"][data-first]`);
    const level = (from, to, index) => {
      const here = counterpart(from, index), there = counterpart(to, index);
      if (!here || !there) return;
      quietUntil = Date.now() + 120;
      to.scrollTop = there.offsetTop - (here.offsetTop - from.scrollTop);
      there.classList.add("flash");
      setTimeout(() => there.classList.remove("flash"), 700);
    };
    panes.forEach((pane, k) => {
      const other = panes[1 - k];
      pane.addEventListener("click", (event) => {
        const span = event.target.closest("[data-p]");
        if (span) level(pane, other, span.getAttribute("data-p"));
      });
      pane.addEventListener("scroll", () => {
        if (!checkbox.checked || Date.now() < quietUntil) return;
        const top = Array.from(pane.querySelectorAll("[data-first]")).find((s) => s.offsetTop >= pane.scrollTop);
        if (top) { level(pane, other, top.getAttribute("data-p")); other.querySelectorAll(".flash").forEach((x) => x.classList.remove("flash")); }
      });
    });
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    Object.entries(attrs).forEach(([k, v]) => node.setAttribute(k, String(v)));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function treeDrawing(layout) {
    const root = svg("svg", { width: layout.width, height: layout.height, viewBox: `0 0 ${layout.width} ${layout.height}`, class: "tree", role: "img" });
    const defs = svg("defs", {});
    const marker = svg("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
    marker.append(svg("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#555" }));
    defs.append(marker); root.append(defs);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    const w = layout.box_w, h = layout.box_h;
    layout.edges.forEach((e) => {
      const s = at.get(e.source), t = at.get(e.target);
      const g = svg("g", { class: "edge" });
      g.append(svg("line", { x1: s.x + w / 2, y1: s.y + h, x2: t.x + w / 2, y2: t.y, stroke: "#555", "marker-end": "url(#arrow)" }));
      // the label sits near the arrow's head, where siblings' arrows have spread apart
      const lx = s.x + w / 2 + 0.7 * (t.x - s.x), ly = s.y + h + 0.7 * (t.y - s.y - h);
      g.append(svg("text", { x: lx + 4, y: ly, class: "edge-label" }, `${e.relation.replace(/_/g, " ")} ${fmt(e.confidence)}`));
      if (s.kind === "document" && t.kind === "document") g.addEventListener("click", () => { location.hash = pairHref(e.source, e.target); });
      root.append(g);
    });
    layout.nodes.forEach((n) => {
      const lost = n.kind === "lost_source";
      const g = svg("g", { class: "node " + n.kind, "data-node": n.id });
      g.append(svg("title", {}, lost ? "a source its descendants share but the corpus lacks" : n.id));
      g.append(svg("rect", { x: n.x, y: n.y, width: w, height: h, rx: 5 }));
      const label = lost ? "lost source" : (n.id.length > 26 ? n.id.slice(0, 25) + "…" : n.id);
      g.append(svg("text", { x: n.x + w / 2, y: n.y + h / 2 + 4, "text-anchor": "middle" }, label));
      if (!lost) g.addEventListener("click", () => { location.hash = docHref(n.id); });
      root.append(g);
    });
    return root;
  }

  async function storyView(store, id) {
    const s = await store.story(id);
    if (!s) return el("p", {}, "No such story.");
    return el("div", {}, el("h1", {}, "Story ", user(s.id)),
      el("p", {}, "Click a document to open it, an arrow to compare the two texts. A dashed box is a lost source."),
      el("div", { class: "tree-box" }, treeDrawing(s.layout)),
      el("ul", {}, ...s.documents.map((d) => el("li", {}, el("a", { href: docHref(d.id) }, user(d.id)), d.title ? [" — ", user(d.title)] : null, d.date ? " · " + d.date : null))));
  }

  async function documentView(store, id) {
    const d = await store.document(id);
    if (!d) return el("p", {}, "No such document.");
    const marks = d.findings.map((f) => {
      const span = f.derived === d.id ? f.derived_span : f.source_span;
      return span ? { id: f.id, kind: f.kind, severity: f.severity, explanation: f.explanation, start: span[0], end: span[1] } : null;
    }).filter(Boolean);
    const stories = d.stories.length ? ["in ", ...d.stories.flatMap((s, k) => [k ? ", " : "", el("a", { href: storyHref(s) }, user(s))])] : null;
    return el("div", {}, el("h1", {}, user(d.id)), metaLine(d, stories),
      el("div", { class: "columns" },
        el("div", { class: "pane single" }, markedText(d.text || "", [], marks)),
        el("section", {}, el("h2", {}, "Related"),
          el("ul", {}, ...d.pairs.map((r) => { const other = r.a === d.id ? r.b : r.a; return el("li", {}, el("a", { href: pairHref(r.a, r.b) }, r.relation.replace(/_/g, " "), " with ", user(other)), " " + fmt(r.confidence)); })),
          d.findings.length ? [el("h2", {}, "Findings"), findingList(d.findings, true)] : null)));
  }

  // ---------- routing -----------------------------------------------------------------------

  async function route(store, main) {
    const hash = location.hash.replace(/^#\/?/, "");
    const [path, query] = hash.split("?");
    let view;
    try {
      const parts = path.split("/").map(decodeURIComponent);
      if (parts[0] === "pairs") view = await pairsView(store, Object.fromEntries(new URLSearchParams(query || "")));
      else if (parts[0] === "pair" && parts.length === 3) view = await pairView(store, parts[1], parts[2]);
      else if (parts[0] === "story" && parts.length === 2) view = await storyView(store, parts[1]);
      else if (parts[0] === "doc" && parts.length === 2) view = await documentView(store, parts[1]);
      else view = await overviewView(store);
    } catch (error) {
      view = el("p", { class: "error" }, "Could not show this view: " + error.message);
    }
    main.replaceChildren(view);
    document.body.setAttribute("data-ready", hash || "overview");
    window.scrollTo(0, 0);
  }

  function start() {
    const data = document.getElementById("filiation-data");
    const store = data ? embeddedStore(JSON.parse(data.textContent)) : apiStore(document.body.getAttribute("data-api") || "api/");
    const main = document.getElementById("main");
    window.addEventListener("hashchange", () => route(store, main));
    route(store, main);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

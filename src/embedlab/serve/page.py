"""The page at ``/``: type a text, see the nearest documents with scores and a 2-D PCA map.

In: nothing (a static page). Out: HTML whose script calls ``GET /ready`` (is there an index?)
and ``POST /v1/search`` with ``map: true``, then draws the hits as a table and an SVG scatter
(the query as a red square, hits as numbered circles; hover shows the text). An API key typed
into the page is kept in the browser's localStorage and sent as ``Authorization: Bearer``.
Kept as a Python string so it ships inside the wheel with no package-data setup.
"""

from __future__ import annotations

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>embedlab search</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 60em;
         color: #222; }
  form { display: flex; gap: .5em; flex-wrap: wrap; margin-bottom: 1em; }
  #query { flex: 1 1 20em; font-size: 1em; padding: .4em; }
  #status { color: #555; min-height: 1.4em; }
  #status.error { color: #b00020; }
  .cols { display: flex; gap: 1.5em; flex-wrap: wrap; }
  table { border-collapse: collapse; flex: 1 1 28em; }
  td, th { text-align: left; padding: .3em .5em; border-bottom: 1px solid #ddd;
           vertical-align: top; }
  td.score { font-variant-numeric: tabular-nums; white-space: nowrap; }
  svg { border: 1px solid #ddd; background: #fafafa; flex: 0 0 auto; }
  svg text { font-size: 11px; fill: #fff; text-anchor: middle; dominant-baseline: central;
             pointer-events: none; }
</style>
</head>
<body>
<h1>embedlab search</h1>
<p id="model">loading...</p>
<form id="form">
  <input id="query" type="text" placeholder="type a text" autocomplete="off">
  <select id="mode"><option>hybrid</option><option>dense</option><option>bm25</option></select>
  <input id="k" type="number" min="1" max="100" value="10" style="width: 4em">
  <input id="key" type="password" placeholder="API key (if any)" style="width: 10em">
  <button id="search" type="submit">Search</button>
</form>
<p id="status"></p>
<div class="cols">
  <table id="results">
    <thead><tr><th>#</th><th>score</th><th>document</th></tr></thead>
    <tbody></tbody>
  </table>
  <svg id="map" width="360" height="360" viewBox="0 0 360 360"></svg>
</div>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
$("key").value = localStorage.getItem("embedlab-key") || "";

function status(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

function svgEl(name, attrs, parent) {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  parent.appendChild(el);
  return el;
}

function drawMap(map, hits) {
  const svg = $("map");
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  if (!map) return;
  const all = [map.query, ...map.points];
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys),
                            Math.max(...ys)];
  const pad = 24, size = 360 - 2 * pad;
  const sx = (x) => pad + (x1 > x0 ? (x - x0) / (x1 - x0) : 0.5) * size;
  const sy = (y) => pad + (y1 > y0 ? (y1 - y) / (y1 - y0) : 0.5) * size;
  map.points.forEach((p, i) => {
    const c = svgEl("circle", {cx: sx(p[0]), cy: sy(p[1]), r: 9, fill: "#3366cc",
                               class: "hit"}, svg);
    const t = svgEl("title", {}, c);
    t.textContent = `#${i + 1} (${hits[i].score.toFixed(3)}) ${hits[i].text}`;
    svgEl("text", {x: sx(p[0]), y: sy(p[1])}, svg).textContent = String(i + 1);
  });
  const q = svgEl("rect", {x: sx(map.query[0]) - 7, y: sy(map.query[1]) - 7, width: 14,
                           height: 14, fill: "#cc3333", class: "query"}, svg);
  svgEl("title", {}, q).textContent = "your text";
}

function showHits(hits) {
  const body = $("results").querySelector("tbody");
  body.replaceChildren();
  hits.forEach((h) => {
    const tr = document.createElement("tr");
    for (const [cls, text] of [["rank", h.rank], ["score", h.score.toFixed(4)],
                               ["text", `${h.id}: ${h.text}`]]) {
      const td = document.createElement("td");
      td.className = cls;
      td.textContent = text;
      tr.appendChild(td);
    }
    body.appendChild(tr);
  });
}

async function search(ev) {
  ev.preventDefault();
  const query = $("query").value.trim();
  if (!query) { status("type a text first", true); return; }
  const key = $("key").value.trim();
  localStorage.setItem("embedlab-key", key);
  const headers = {"Content-Type": "application/json"};
  if (key) headers["Authorization"] = "Bearer " + key;
  status("searching...");
  const started = performance.now();
  try {
    const res = await fetch("/v1/search", {method: "POST", headers, body: JSON.stringify({
      query, k: Number($("k").value) || 10, mode: $("mode").value, map: true})});
    const body = await res.json();
    if (!res.ok) { status(body.error ? body.error.message : res.statusText, true); return; }
    showHits(body.data);
    drawMap(body.map, body.data);
    const ms = Math.round(performance.now() - started);
    status(`${body.data.length} results in ${ms} ms`);
  } catch (err) {
    status(String(err), true);
  }
}

async function init() {
  try {
    const res = await fetch("/ready");
    const info = await res.json();
    if (!res.ok) { $("model").textContent = "the server is not ready"; return; }
    $("model").textContent = `model ${info.model} (${info.dim} dimensions)` +
      (info.search ? "" : " - no index loaded: start the server with --index DIR");
    $("search").disabled = !info.search;
  } catch (err) {
    $("model").textContent = String(err);
  }
}

$("form").addEventListener("submit", search);
init();
</script>
</body>
</html>
"""

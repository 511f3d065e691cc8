// Reading the portal's pages and state in tests: UI strings, escaping, tags, the database.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('./harness');

// content/ui.conf as { zh: { key: value }, en: { ... } }, quoted values unquoted.
function loadUi() {
  const ui = {};
  let sec = null;
  for (const line of fs.readFileSync(path.join(h.ROOT, 'content/ui.conf'), 'utf8').split('\n')) {
    const s = line.trim();
    if (!s || s.startsWith('#')) continue;
    const m = s.match(/^\[(\w+)\]$/);
    if (m) { sec = ui[m[1]] = {}; continue; }
    const kv = s.match(/^([a-z0-9_]+):\s*(.*)$/);
    if (!kv) continue;
    let v = kv[2];
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(["\\])/g, '$1');
    sec[kv[1]] = v;
  }
  return ui;
}

// As lib/html.c html_text escapes.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// The first tag of html that matches re (a RegExp source for the part after "<"), as
// { tag, attrs: { name: value } }, or null.
function tag(html, re) {
  const m = html.match(new RegExp(`<(?:${re})[^>]*>`));
  if (!m) return null;
  const attrs = {};
  for (const a of m[0].matchAll(/\s([a-z-]+)(?:="([^"]*)")?/g)) attrs[a[1]] = a[2] === undefined ? '' : a[2];
  return { tag: m[0], attrs };
}

// The inside of the element with this id (no nested elements of the same kind), or null.
function byId(html, id) {
  const m = html.match(new RegExp(`<(\\w+)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`));
  return m ? m[2] : null;
}

function sql(db, query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
}

module.exports = { loadUi, esc, tag, byId, sql };

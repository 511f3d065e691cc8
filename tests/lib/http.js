// HTTP helpers for the portal tests: a cookie jar, a client that keeps one and posts forms
// with the page's CSRF token, and a reader for the mails the portal writes as .eml files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

// Under a PORTAL_WRAPPER (valgrind, tests/lib/harness.js) the mail thread runs 20-30 times slower.
const MAIL_SLOW = process.env.PORTAL_WRAPPER ? 12 : 1;

// --- cookies -------------------------------------------------------------------------------

// One Set-Cookie header line as { name, value, path, domain, maxAge, expires, httpOnly, secure,
// sameSite, raw }. Attribute names are case-insensitive; unknown attributes are ignored.
function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const c = {
    name: (eq < 0 ? '' : pair.slice(0, eq)).trim(),
    value: (eq < 0 ? pair : pair.slice(eq + 1)).trim(),
    path: undefined, domain: undefined, maxAge: undefined, expires: undefined,
    httpOnly: false, secure: false, sameSite: undefined, raw: line,
  };
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    const val = i < 0 ? '' : a.slice(i + 1).trim();
    if (key === 'path') c.path = val;
    else if (key === 'domain') c.domain = val;
    else if (key === 'max-age') c.maxAge = Number(val);
    else if (key === 'expires') c.expires = new Date(val);
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'secure') c.secure = true;
    else if (key === 'samesite') c.sameSite = val;
  }
  return c;
}

// Cookies by name for one server. Max-Age <= 0 or a past Expires deletes. Path, Domain and
// Secure are recorded but not enforced: the tests talk plain HTTP to one origin, also to a
// portal that believes it is behind TLS and sets Secure cookies.
class CookieJar {
  constructor() {
    this.cookies = new Map();
  }

  // Take the Set-Cookie lines of a response (an array of strings).
  store(lines) {
    for (const line of lines) {
      const c = parseSetCookie(line);
      if (!c.name) continue;
      const gone = (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() <= Date.now());
      if (gone) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c);
    }
  }

  get(name) {
    const c = this.cookies.get(name);
    return c && c.value;
  }

  set(name, value) {
    this.cookies.set(name, { ...parseSetCookie(`${name}=${value}`) });
  }

  delete(name) {
    this.cookies.delete(name);
  }

  // The Cookie request header, or '' if the jar is empty.
  header() {
    return [...this.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

// --- forms ---------------------------------------------------------------------------------

// The value of the first <input name="csrf"> of an HTML page, or undefined.
function csrfFrom(html) {
  const input = html.match(/<input\b[^>]*\bname="csrf"[^>]*>/);
  const m = input && input[0].match(/\bvalue="([^"]*)"/);
  return m ? m[1] : undefined;
}

// A urlencoded body from an object or [name, value] pairs; a string is sent as it is.
function encodeForm(fields) {
  if (typeof fields === 'string') return fields;
  return new URLSearchParams(fields).toString();
}

// --- client --------------------------------------------------------------------------------

// A browser stand-in for one visitor: its own cookie jar, never follows redirects, and reads
// every body. Responses are { status, headers, location, text, setCookies }, setCookies parsed.
class Client {
  constructor(base, { userAgent = 'okpay-tests', headers = {} } = {}) {
    this.base = base;
    this.jar = new CookieJar();
    this.headers = { 'user-agent': userAgent, ...headers };
  }

  // opts: { method, headers, body, cookies: false to send none and keep none }
  async request(p, { method = 'GET', headers = {}, body, cookies = true } = {}) {
    const h = { ...this.headers, ...headers };
    if (cookies && this.jar.header() && !('cookie' in h)) h.cookie = this.jar.header();
    const res = await fetch(this.base + p, { method, headers: h, body, redirect: 'manual' });
    const text = await res.text();
    const lines = res.headers.getSetCookie();
    if (cookies) this.jar.store(lines);
    return {
      status: res.status,
      headers: res.headers,
      location: res.headers.get('location'),
      text,
      setCookies: lines.map(parseSetCookie),
    };
  }

  get(p, opts = {}) {
    return this.request(p, opts);
  }

  // GET a page with a form; adds csrf, its hidden token (undefined if the page has none).
  async page(p, opts = {}) {
    const r = await this.get(p, opts);
    return { ...r, csrf: csrfFrom(r.text) };
  }

  // POST a urlencoded form as a same-origin browser would: Origin is the base unless
  // opts.origin says otherwise (null: no Origin header). fields: object, pairs or raw string.
  post(p, fields, { origin = this.base, headers = {}, contentType = 'application/x-www-form-urlencoded', ...opts } = {}) {
    const h = { 'content-type': contentType, ...headers };
    if (origin !== null) h.origin = origin;
    return this.request(p, { ...opts, method: 'POST', headers: h, body: encodeForm(fields) });
  }

  // Fill in the form on page p: GET it for the csrf token, then POST fields with it to action
  // (default p). The fields may override csrf.
  async submit(p, fields, { action = p, ...opts } = {}) {
    const pg = await this.page(p);
    if (pg.csrf === undefined) throw new Error(`${p}: no csrf input (status ${pg.status})`);
    const all = Array.isArray(fields) ? [['csrf', pg.csrf], ...fields] : { csrf: pg.csrf, ...fields };
    return this.post(action, all, opts);
  }
}

// --- mail ----------------------------------------------------------------------------------

// Quoted-printable (RFC 2045 6.7) to a string: soft line breaks go, =XX are bytes, and the
// bytes are UTF-8 (invalid UTF-8 throws rather than turning into U+FFFD).
function decodeQuotedPrintable(s, charset = 'utf-8') {
  const bytes = [];
  const src = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(src.slice(i + 1, i + 3))) {
      bytes.push(parseInt(src.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(src[i], 'utf8'));
    }
  }
  return new TextDecoder(charset, { fatal: true }).decode(Buffer.from(bytes));
}

// RFC 2047 encoded-words in a header value; white space between two of them is dropped.
function decodeHeader(v) {
  return v
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_, cs, enc, text) => {
      const buf = enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(cs, { fatal: true }).decode(buf);
    });
}

// Header block to { lower-case name: raw (unfolded, undecoded) value }; the first one wins.
function parseHeaders(block) {
  const out = {};
  for (const line of block.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    if (!(name in out)) out[name] = line.slice(i + 1).trim();
  }
  return out;
}

// A parameter of a structured header value: param('text/html; charset=UTF-8', 'charset').
function headerParam(v, name) {
  const m = (v || '').match(new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i'));
  return m ? (m[1] !== undefined ? m[1] : m[2]) : undefined;
}

function splitEntity(raw) {
  const m = raw.match(/\r?\n\r?\n/);
  if (!m) return { head: raw, body: '' };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

function decodeBody(headers, body) {
  const cte = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  const charset = headerParam(headers['content-type'], 'charset') || 'utf-8';
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body, charset);
  if (cte === 'base64') return new TextDecoder(charset, { fatal: true }).decode(Buffer.from(body, 'base64'));
  return body;
}

// A message: { raw, headers (raw values), subject (decoded), to, messageId, date, type,
// parts: [{ type, headers, text }], text, html } where text and html are the decoded parts.
function parseMail(raw) {
  const { head, body } = splitEntity(raw);
  const headers = parseHeaders(head);
  const type = (headers['content-type'] || 'text/plain').split(';')[0].trim().toLowerCase();
  const parts = [];
  if (type.startsWith('multipart/')) {
    const boundary = headerParam(headers['content-type'], 'boundary');
    if (!boundary) throw new Error('multipart mail without a boundary');
    // The CRLF before a delimiter belongs to it (RFC 2046 5.1.1).
    const chunks = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      const e = splitEntity(chunk.replace(/^[ \t]*\r?\n/, ''));
      const ph = parseHeaders(e.head);
      parts.push({ type: (ph['content-type'] || 'text/plain').split(';')[0].trim().toLowerCase(), headers: ph, text: decodeBody(ph, e.body) });
    }
  } else {
    parts.push({ type, headers, text: decodeBody(headers, body) });
  }
  const part = (t) => (parts.find((p) => p.type === t) || {}).text;
  return {
    raw, headers, type, parts,
    subject: decodeHeader(headers.subject || ''),
    to: headers.to, messageId: headers['message-id'], date: headers.date,
    text: part('text/plain'), html: part('text/html'),
  };
}

// The http(s) links of a plain text.
function linksIn(text) {
  return (text || '').match(/https?:\/\/[^\s<>"']+/g) || [];
}

// The .eml files of a mail directory, read in order; next() waits for one not seen before.
class Mailbox {
  constructor(dir) {
    this.dir = dir;
    this.seen = new Set();
    this.parsed = new Map(); // file name -> parsed mail; files are complete once named .eml
  }

  read(f) {
    if (!this.parsed.has(f)) this.parsed.set(f, { file: f, ...parseMail(fs.readFileSync(path.join(this.dir, f), 'utf8')) });
    return this.parsed.get(f);
  }

  files() {
    if (!fs.existsSync(this.dir)) return [];
    return fs.readdirSync(this.dir).filter((f) => f.endsWith('.eml')).sort();
  }

  // Every mail in the directory, parsed (seen or not).
  all() {
    return this.files().map((f) => this.read(f));
  }

  // Mark everything delivered so far as seen.
  skip() {
    for (const f of this.files()) this.seen.add(f);
  }

  // The next unseen mail for which match(mail) holds (match: a function, or { to, subject }
  // with a string or RegExp each), waiting up to timeoutMs (12 times that under a
  // PORTAL_WRAPPER); marks it seen. Throws on timeout.
  async next(match = {}, timeoutMs = 3000) {
    const test = typeof match === 'function' ? match : (m) => Object.entries(match).every(([k, want]) => (want instanceof RegExp ? want.test(m[k] || '') : m[k] === want));
    timeoutMs *= MAIL_SLOW;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const f of this.files()) {
        if (this.seen.has(f)) continue;
        const m = this.read(f);
        if (test(m)) {
          this.seen.add(f);
          return m;
        }
      }
      if (Date.now() > deadline) throw new Error(`no mail matching ${typeof match === 'function' ? 'the filter' : JSON.stringify(match)} in ${this.dir} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  // Unseen mails that arrive within ms (for "no mail was sent"); does not mark them seen.
  async unseenAfter(ms) {
    await new Promise((r) => setTimeout(r, ms));
    return this.files().filter((f) => !this.seen.has(f));
  }
}

module.exports = {
  parseSetCookie, CookieJar, csrfFrom, encodeForm, Client,
  decodeQuotedPrintable, decodeHeader, parseHeaders, headerParam, parseMail, linksIn, Mailbox,
};

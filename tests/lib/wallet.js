// Helpers for the wallet tests (tests/integration/wallet*.test.js): users who can pay, adding
// and sending money through the real pages, the ledger read with the sqlite3 CLI, the CSV
// statement parsed, okpay-admin, and a portal that can be killed and restarted on the same
// database and socket behind one nginx.
'use strict';
const { spawnSync } = require('node:child_process');
const assert = require('node:assert/strict');
const http = require('node:http');
const path = require('node:path');
const h = require('./harness');
const { Client, linksIn, parseSetCookie } = require('./http');
const { loadUi, esc, tag, byId, sql } = require('./page');

const PW = 'lantern orchard 7 velvet';
const ADMIN = path.join(path.dirname(h.PORTAL), 'okpay-admin');

// Test cards of the simulated processor (cgi/card.h).
const CARDS = {
  ok: '4242 4242 4242 4242',
  declined: '4000 0000 0000 0002',
  noFunds: '4000 0000 0000 9995',
  badLuhn: '4242 4242 4242 4241',
};
// An expiry a few years ahead, as MM/YY.
const GOOD_EXPIRY = `12/${String((new Date().getUTCFullYear() + 4) % 100).padStart(2, '0')}`;

// --- text ----------------------------------------------------------------------------------

function unesc(s) {
  return String(s).replace(/&(amp|lt|gt|quot|#39);/g, (m, e) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]);
}

// Text of an element by id: tags removed, entities decoded, white space collapsed.
function textById(html, id) {
  const s = byId(html, id);
  return s === null ? null : unesc(s.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

// The value attribute of the input with id (else name) `name` (decoded), '' if it has none,
// null if there is no such input. The id comes first: the site header has a search box "q".
function inputValue(html, name) {
  const t = tag(html, `input[^>]*\\bid="${name}"`) || tag(html, `input[^>]*\\bname="${name}"`);
  if (!t) return null;
  return t.attrs.value === undefined ? '' : unesc(t.attrs.value);
}

// Every hidden input of the first form whose action ends in `action` (or of the page), by name.
function hiddenInputs(html, action) {
  let scope = html;
  if (action) {
    const m = html.match(new RegExp(`<form\\b[^>]*action="[^"]*${action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([\\s\\S]*?)</form>`));
    if (m) scope = m[1];
  }
  const out = {};
  for (const m of scope.matchAll(/<input\b[^>]*>/g)) {
    if (!/\btype="hidden"/.test(m[0])) continue;
    const n = m[0].match(/\bname="([^"]*)"/);
    const v = m[0].match(/\bvalue="([^"]*)"/);
    if (n) out[n[1]] = v ? unesc(v[1]) : '';
  }
  return out;
}

// Table rows that carry data-number or data-reference: [{ number, reference, cells, html }].
function historyRows(html) {
  return [...html.matchAll(/<tr\b([^>]*)>([\s\S]*?)<\/tr>/g)]
    .filter((m) => /\bdata-(number|reference)="/.test(m[1]))
    .map((m) => ({
      number: (m[1].match(/\bdata-number="([^"]*)"/) || [])[1],
      reference: (m[1].match(/\bdata-reference="([^"]*)"/) || [])[1],
      cells: [...m[2].matchAll(/<t[dh]\b[^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => unesc(c[1].replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim()),
      html: m[0],
    }));
}

// Minor units as the pages show them: 123450 -> "¥1,234.50".
function yuan(minor) {
  const neg = minor < 0;
  const a = Math.abs(minor);
  const major = String(Math.floor(a / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}¥${major}.${String(a % 100).padStart(2, '0')}`;
}

// Minor units as the CSV writes them: -12345 -> "-123.45".
function decimal(minor) {
  const a = Math.abs(minor);
  return `${minor < 0 ? '-' : ''}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

// "123.45" or "-0.30" -> minor units; throws on anything else.
function minorOf(dec) {
  const m = String(dec).match(/^(-?)(\d+)\.(\d\d)$/);
  if (!m) throw new Error(`not a decimal amount: ${JSON.stringify(dec)}`);
  return (m[1] ? -1 : 1) * (Number(m[2]) * 100 + Number(m[3]));
}

// The card fee on minor: 2.9% rounded half up, plus ¥0.30 (content/FACTS.md defaults).
function cardFee(minor, bp = 290, fixed = 30) {
  return Math.floor((minor * bp + 5000) / 10000) + fixed;
}

// Today (or t) in China Standard Time as YYYY-MM-DD.
function cstDay(t = Date.now()) {
  return new Date(t + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// --- CSV -----------------------------------------------------------------------------------

// An RFC 4180 text to { bom, crlf, rows: [[cell]] }: quoted cells may hold commas, quotes
// ("" for one) and line ends. Throws on a stray quote; every line end must be CRLF for crlf.
function parseCsv(text) {
  const bom = text.startsWith('\uFEFF');
  const s = bom ? text.slice(1) : text;
  const rows = [];
  let row = [];
  let cell = '';
  let i = 0;
  let crlf = true;
  let quoted = false;
  while (i < s.length) {
    const ch = s[i];
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; if (i < s.length && !',\r\n'.includes(s[i])) throw new Error(`text after a closing quote at ${i}`); continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') {
      if (cell !== '') throw new Error(`a quote inside an unquoted cell at ${i}`);
      quoted = true; i++; continue;
    }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && s[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    if (ch === '\n' || ch === '\r') { crlf = false; row.push(cell); rows.push(row); row = []; cell = ''; i++; continue; }
    cell += ch; i++;
  }
  if (quoted) throw new Error('unterminated quoted cell');
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return { bom, crlf, endsWithNewline: /\r\n$/.test(s), rows };
}

// --- the database --------------------------------------------------------------------------

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function userId(db, email) {
  return Number(sql(db, `select id from users where email_key = lower(${q(email)})`));
}

// The wallet balance of the user with this email, in minor units (0 without a wallet).
function balance(db, email) {
  const v = sql(db, `select a.balance from accounts a join users u on u.id = a.user_id where a.kind = 'wallet' and u.email_key = lower(${q(email)})`);
  return v === '' ? 0 : Number(v);
}

function accountNumber(db, email) {
  return sql(db, `select a.number from accounts a join users u on u.id = a.user_id where a.kind = 'wallet' and u.email_key = lower(${q(email)})`);
}

function systemBalance(db, kind) {
  return Number(sql(db, `select balance from accounts where kind = ${q(kind)}`));
}

// What "changes no balance and no ledger row" compares: row counts of the ledger tables and
// every non-zero balance (an empty wallet created on first use changes nothing).
function ledger(db) {
  const [transfers, entries, balances] = sql(db, "select (select count(*) from transfers), (select count(*) from entries), (select coalesce(group_concat(id || ':' || balance, ' '), '') from (select id, balance from accounts where balance != 0 order by id))").split('|');
  return { transfers: Number(transfers), entries: Number(entries), balances };
}

function count(db, table, where = '1') {
  return Number(sql(db, `select count(*) from ${table} where ${where}`));
}

// --- okpay-admin ---------------------------------------------------------------------------

// Run okpay-admin; returns { status, stdout, stderr }. Commands that change something need an
// operator (--operator or $USER, which CI may not set): the tests act as "integration-tests".
function admin(db, ...args) {
  const env = { ...process.env, USER: process.env.USER || 'integration-tests' };
  const r = spawnSync(ADMIN, ['--db', db, ...args], { encoding: 'utf8', env });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// okpay-admin audit must say the ledger is fine.
function assertAudit(db) {
  const r = admin(db, 'audit');
  assert.equal(r.status, 0, `okpay-admin audit failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /ledger ok/);
}

// --- clients from many addresses -----------------------------------------------------------

// nginx limits POSTs per client address (30 a second, bursts of 60: nginx/nginx.conf.in).
// Many people paying at once come from many addresses; so do the tests, from 127.0.0.0/8.
let addrSeq = 0;
function nextAddress() {
  const n = addrSeq++;
  return `127.0.${1 + Math.floor(n / 250)}.${(n % 250) + 2}`;
}

// A Client whose requests leave from localAddress (its own, or opts.localAddress per request)
// through node:http; without one it is the plain fetch Client.
class AddrClient extends Client {
  constructor(base, { localAddress, ...opts } = {}) {
    super(base, opts);
    this.localAddress = localAddress;
  }

  request(p, { method = 'GET', headers = {}, body, cookies = true, localAddress = this.localAddress } = {}) {
    if (!localAddress) return super.request(p, { method, headers, body, cookies });
    const h = { ...this.headers, ...headers };
    if (cookies && this.jar.header() && !('cookie' in h)) h.cookie = this.jar.header();
    const url = new URL(this.base + p);
    const data = body === undefined ? undefined : Buffer.from(body);
    if (data) h['content-length'] = String(data.length);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers: h, localAddress, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (d) => chunks.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const hd = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) hd.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const lines = hd.getSetCookie();
          if (cookies) this.jar.store(lines);
          const raw = Buffer.concat(chunks);
          resolve({ status: res.statusCode, headers: hd, location: hd.get('location'), text: raw.toString('utf8'), raw, setCookies: lines.map(parseSetCookie) });
        });
      });
      req.on('error', reject);
      req.end(data);
    });
  }
}

// --- users ---------------------------------------------------------------------------------

let seq = 0;
const uniqueEmail = (who) => `${who}.${process.pid}.${++seq}@example.com`;

const pathOf = (link) => { const u = new URL(link); return u.pathname + u.search; };

// Register through the form, verify with the mailed link (unless verify is false) and log in.
// srv: a started portal ({ base, db }); mail: its Mailbox; ui: loadUi().
// Every request of the user leaves from an address of its own (see AddrClient).
// Returns { email, name, lang, id, c, address } with c a signed-in AddrClient.
async function newUser(srv, mail, ui, { who = 'user', name = '测试用户', lang = 'zh', verify = true } = {}) {
  const email = uniqueEmail(who);
  const address = nextAddress();
  const client = () => new AddrClient(srv.base, { localAddress: address });
  const reg = await client().submit(`/${lang}/account/register`, {
    name, email, password: PW, password2: PW, terms: 'yes',
  });
  assert.equal(reg.status, 303, `registering ${email}: ${reg.status}`);
  const m = await mail.next({ to: email, subject: ui[lang].mail_verify_subject });
  if (verify) {
    const link = linksIn(m.text).find((l) => l.includes('/account/verify?token='));
    assert.ok(link, `a verify link in the mail to ${email}`);
    const v = client();
    const pg = await v.page(pathOf(link));
    assert.equal(pg.status, 200, `verify page for ${email}`);
    const done = await v.post(`/${lang}/account/verify`, { csrf: pg.csrf, token: new URL(link).searchParams.get('token') });
    assert.equal(done.status, 303, `verifying ${email}: ${done.status}`);
  }
  const c = client();
  const login = await c.submit(`/${lang}/account/login`, { email, password: PW });
  assert.equal(login.status, 303, `login of ${email}: ${login.status}`);
  return { email, name, lang, id: userId(srv.db, email), c, address };
}

// --- adding money --------------------------------------------------------------------------

// GET the add-money form and POST it with its csrf and key. fields override the defaults
// (method card, the good test card); amount is required. Returns the response plus form: the
// GET response.
async function addMoney(c, fields, { lang = 'zh', csrf, key } = {}) {
  const form = await c.page(`/${lang}/account/add-money`);
  assert.equal(form.status, 200, `add-money form: ${form.status}`);
  const hidden = hiddenInputs(form.text, '/account/add-money');
  const body = {
    csrf: csrf === undefined ? form.csrf : csrf,
    key: key === undefined ? hidden.key : key,
    method: 'card', card_number: CARDS.ok, card_expiry: GOOD_EXPIRY, card_cvc: '123',
    ...fields,
  };
  for (const k of Object.keys(body)) if (body[k] === null) delete body[k];
  const r = await c.post(`/${lang}/account/add-money`, body);
  return { ...r, form, sent: body };
}

// Add amount (a string as typed, e.g. "100.00") by card and insist it worked; returns the
// transfer number.
async function topUp(c, amount, lang = 'zh') {
  const r = await addMoney(c, { amount }, { lang });
  assert.equal(r.status, 303, `top-up of ${amount}: ${r.status} ${errorsOf(r.text)}`);
  const m = r.location.match(new RegExp(`^/${lang}/account/transactions/(T\\d{15})\\?done=1$`));
  assert.ok(m, `top-up redirects to its receipt: ${r.location}`);
  return m[1];
}

// --- sending money -------------------------------------------------------------------------

// POST the send form; returns the response plus key (the review key of a 303, else undefined).
// localAddress: send the POST from this address (see AddrClient).
async function sendForm(c, fields, { lang = 'zh', csrf, localAddress } = {}) {
  const body = { method: 'balance', note: '', ...fields };
  if (csrf === undefined) {
    const pg = await c.page(`/${lang}/account/send`);
    assert.equal(pg.status, 200, `send form: ${pg.status}`);
    body.csrf = pg.csrf;
  } else if (csrf !== null) body.csrf = csrf;
  const r = await c.post(`/${lang}/account/send`, body, localAddress ? { localAddress } : {});
  let key;
  if (r.status === 303) {
    const m = r.location.match(new RegExp(`^/${lang}/account/send/review\\?key=([A-Za-z0-9_-]{100,})$`));
    assert.ok(m, `send redirects to the review: ${r.location}`);
    key = m[1];
  }
  return { ...r, key };
}

// POST Confirm for review key; csrf from the review page unless given.
async function confirm(c, key, { lang = 'zh', csrf, card } = {}) {
  let token = csrf;
  if (token === undefined) {
    const pg = await c.page(`/${lang}/account/send/review?key=${key}`);
    token = pg.csrf;
  }
  const body = { key };
  if (token !== null) body.csrf = token;
  if (card) Object.assign(body, card);
  return c.post(`/${lang}/account/send/confirm`, body);
}

// The transfer number in a receipt redirect, or null.
function receiptNumber(location, lang = 'zh') {
  const m = (location || '').match(new RegExp(`^/${lang}/account/transactions/(T\\d{15})\\?done=1$`));
  return m ? m[1] : null;
}

// Review, then confirm; insists both worked. Returns the transfer number.
async function sendMoney(c, recipient, amount, { note = '', lang = 'zh' } = {}) {
  const r = await sendForm(c, { recipient, amount, note }, { lang });
  assert.equal(r.status, 303, `send ${amount} to ${recipient}: ${r.status} ${errorsOf(r.text)}`);
  const done = await confirm(c, r.key, { lang });
  assert.equal(done.status, 303, `confirm: ${done.status} ${errorsOf(done.text)}`);
  const n = receiptNumber(done.location, lang);
  assert.ok(n, `confirm redirects to a receipt: ${done.location}`);
  return n;
}

// The messages of a page's field errors and error summary, for assertion messages.
function errorsOf(html) {
  return [...(html || '').matchAll(/<p class="field-error" id="([^"]+)">([\s\S]*?)<\/p>/g)].map((m) => `${m[1]}: ${m[2]}`).join('; ')
    || (html || '').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 300);
}

module.exports = {
  PW, ADMIN, CARDS, GOOD_EXPIRY,
  loadUi, esc, unesc, tag, byId, textById, inputValue, hiddenInputs, historyRows, yuan, decimal, minorOf, cardFee, cstDay,
  parseCsv,
  sql, q, userId, balance, accountNumber, systemBalance, ledger, count,
  admin, assertAudit,
  uniqueEmail, newUser, AddrClient, nextAddress,
  addMoney, topUp, sendForm, confirm, receiptNumber, sendMoney, errorsOf,
};

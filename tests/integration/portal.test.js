// The account portal over HTTP: the real okpay-portal (FastCGI) behind the real nginx, each
// with its own SQLite database, mail directory and key (tests/lib/harness.js startPortal).
// Mails are read from the .eml files the portal delivers; the database with the sqlite3 CLI.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client, Mailbox, linksIn } = require('../lib/http');
const { loadUi, esc, tag, byId, sql } = require('../lib/page');

// Sanitizer reports (the ASan build writes them to the portal's stderr).
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const CHROME_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const PW = 'lantern orchard 7 velvet';

// --- helpers -------------------------------------------------------------------------------

// The rows of the tables in html, each an array of its cells' text (tags removed).
function rows(html) {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<[^>]*>/g, '').trim()));
}

// Account state. rate_limits is left out: refused requests may still spend a client's tokens.
const TABLES = ['users', 'sessions', 'tokens', 'outbox', 'events'];
// Row counts of every table: "changes nothing in the database" compares two of these.
function counts(db) {
  const out = sql(db, `select ${TABLES.map((t) => `(select count(*) from ${t})`).join(', ')}`).split('|').map(Number);
  return Object.fromEntries(TABLES.map((t, i) => [t, out[i]]));
}

function userRow(db, email) {
  const r = sql(db, `select id, name, verified_at, email from users where email_key = lower('${email.replace(/'/g, "''")}')`);
  if (!r) return null;
  const [id, name, verified, mail] = r.split('|');
  return { id: Number(id), name, verifiedAt: Number(verified), email: mail };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

let seq = 0;
const uniqueEmail = (who) => `${who}.${process.pid}.${++seq}@example.com`;

// The headers that must match between two responses that should be indistinguishable.
function headerPairs(r) {
  return [...r.headers].filter(([k]) => k !== 'date').map(([k, v]) => `${k}: ${v}`).sort();
}

const tokenOf = (link) => new URL(link).searchParams.get('token');
const pathOf = (link) => { const u = new URL(link); return u.pathname + u.search; };

// --- the suite -----------------------------------------------------------------------------

describe('account portal over nginx', () => {
  const ui = loadUi();
  const portals = []; // every portal started here, checked for sanitizer reports in after()
  const secrets = new Set(); // tokens, cookies and passwords: none may reach the request log
  const responses = []; // [label, status, Cache-Control] of every response from the portal
  let site, srv, mail;

  // A client that remembers what must stay secret and what every response said about caching.
  class PortalClient extends Client {
    constructor(base, opts = {}) {
      super(base, { userAgent: CHROME_WIN, ...opts });
    }

    async request(p, opts = {}) {
      const r = await super.request(p, opts);
      responses.push([`${opts.method || 'GET'} ${p}`, r.status, r.headers.get('cache-control')]);
      for (const c of r.setCookies) if (c.value) secrets.add(c.value);
      if (opts.body && typeof opts.body === 'string') {
        for (const [k, v] of new URLSearchParams(opts.body)) if (/password/.test(k) && v) secrets.add(v);
      }
      return r;
    }
  }

  async function start(opts = {}) {
    const p = await h.startPortal({ siteDir: site, ...opts });
    portals.push(p);
    return p;
  }

  // Register through the form; returns the response.
  function register(c, fields = {}, lang = 'zh') {
    return c.submit(`/${lang}/account/register`, {
      name: '测试用户', email: uniqueEmail('user'), password: PW, password2: PW, terms: 'yes', ...fields,
    });
  }

  // The verify link of the next verification mail to `to`, in mailbox mb.
  async function verifyLink(to, mb = mail) {
    const m = await mb.next({ to, subject: ui.zh.mail_verify_subject });
    const links = linksIn(m.text).filter((l) => l.includes('/account/verify?token='));
    assert.equal(links.length, 1, `one verify link in the mail to ${to}`);
    secrets.add(tokenOf(links[0]));
    return links[0];
  }

  // A registered (not yet verified) account; returns { email, password, link }.
  async function newAccount(who, fields = {}) {
    const email = uniqueEmail(who);
    const r = await register(new PortalClient(srv.base), { email, ...fields });
    assert.equal(r.status, 303, `registering ${email}`);
    return { email, password: fields.password || PW, link: await verifyLink(email) };
  }

  before(async () => {
    site = h.buildSite();
    srv = await start();
    mail = new Mailbox(srv.mailDir);
  });

  after(async () => {
    await Promise.all(portals.map((p) => p.stop()));
    await new Promise((r) => setTimeout(r, 300)); // the last of stderr may follow the exit
    for (const p of portals) {
      const err = p.stderr();
      assert.doesNotMatch(err, SANITIZER, `sanitizer report on the portal's stderr:\n${err}`);
    }
  });

  // --- 1 -----------------------------------------------------------------------------------

  it('registers, verifies by POST only, logs in, shows the account and logs out', async () => {
    const c = new PortalClient(srv.base);
    const email = 'li.wei@example.com';

    const form = await c.page('/zh/account/register');
    assert.equal(form.status, 200);
    const pre = form.setCookies.find((k) => k.name === 'okpay_pre');
    assert.ok(pre, 'dev mode sets a pre-session cookie okpay_pre');
    assert.match(pre.value, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(pre.httpOnly && pre.sameSite === 'Lax' && pre.path === '/' && !pre.secure, pre.raw);
    assert.match(form.csrf, /^[A-Za-z0-9_-]{43}$/, 'the form carries a csrf token');

    const before = counts(srv.db);
    const r = await c.post('/zh/account/register', { csrf: form.csrf, name: '李伟', email, password: PW, password2: PW, terms: 'yes' });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/register/sent');
    assert.equal(counts(srv.db).users, before.users + 1);
    const u = userRow(srv.db, email);
    assert.equal(u.name, '李伟');
    assert.equal(u.verifiedAt, 0);
    const sent = await c.get(r.location);
    assert.equal(sent.status, 200);
    assert.ok(sent.text.includes(esc(ui.zh.register_sent_title)));

    // The mail: headers, encoded subject, both parts, and the link in the quoted-printable text.
    const m = await mail.next({ to: email });
    assert.equal(m.headers.to, email);
    assert.match(m.headers.subject, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=(\r?\n? =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=)*$/i, 'Subject is RFC 2047 encoded');
    assert.equal(m.subject, ui.zh.mail_verify_subject);
    assert.match(m.messageId, /^<[^<>@\s]+@[^<>@\s]+>$/);
    assert.match(m.date, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
    assert.ok(Math.abs(Date.parse(m.date) - Date.now()) < 5 * 60e3, `Date ${m.date} is now`);
    assert.equal(m.type, 'multipart/alternative');
    assert.deepEqual(m.parts.map((p) => p.type), ['text/plain', 'text/html']);
    for (const p of m.parts) assert.equal(p.headers['content-transfer-encoding'].toLowerCase(), 'quoted-printable');
    assert.doesNotMatch(m.raw.replace(/\r\n/g, ''), /\n|\r/, 'CRLF line ends only');
    for (const line of m.raw.split('\r\n')) assert.ok(line.length <= 78, `line over 78 characters: ${line}`);
    assert.ok(m.text.startsWith('李伟') && m.text.split('\n')[0].includes(ui.zh.mail_hello), 'greets by name');
    assert.ok(m.text.includes(ui.zh.mail_verify_text));
    const links = linksIn(m.text);
    assert.equal(links.length, 1);
    const link = links[0];
    assert.match(link, new RegExp(`^${srv.base}/zh/account/verify\\?token=[A-Za-z0-9_-]{43}$`));
    assert.ok(m.html.includes(`href="${link}"`), 'the HTML part links the same address');
    secrets.add(tokenOf(link));

    // GET shows a Confirm button and changes nothing, however often it is fetched.
    for (let i = 0; i < 2; i++) {
      const v = await c.page(pathOf(link));
      assert.equal(v.status, 200);
      assert.equal(v.headers.get('referrer-policy'), 'no-referrer');
      assert.ok(tag(v.text, 'form[^>]*method="post"[^>]*action="/zh/account/verify"'), 'a form that POSTs the token');
      assert.equal(tag(v.text, 'input[^>]*name="token"').attrs.value, tokenOf(link));
      assert.match(v.text, new RegExp(`<button[^>]*type="submit"[^>]*>\\s*${esc(ui.zh.verify_button)}\\s*</button>`), 'a Confirm button');
      assert.equal(userRow(srv.db, email).verifiedAt, 0, `GET #${i + 1} must not verify`);
      assert.equal(sql(srv.db, `select used_at from tokens where user_id = ${u.id}`), '0');
    }

    const v = await c.page(pathOf(link));
    const done = await c.post('/zh/account/verify', { csrf: v.csrf, token: tokenOf(link) });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/zh/account/verify/done');
    assert.ok(userRow(srv.db, email).verifiedAt > 0, 'verified_at is set');
    const donePage = await c.get(done.location);
    assert.equal(donePage.status, 200);
    assert.ok(donePage.text.includes(esc(ui.zh.verify_done_title)));

    // Log in: a new session cookie, the pre-session one goes.
    const login = await c.submit('/zh/account/login', { email, password: PW });
    assert.equal(login.status, 303);
    assert.equal(login.location, '/zh/account/');
    const sc = login.setCookies.find((k) => k.name === 'okpay_session');
    assert.ok(sc, `session cookie okpay_session in ${JSON.stringify(login.setCookies.map((k) => k.raw))}`);
    assert.match(sc.value, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(sc.httpOnly, 'HttpOnly');
    assert.equal(sc.sameSite, 'Lax');
    assert.equal(sc.path, '/');
    assert.equal(sc.secure, false, 'no Secure on plain HTTP in dev mode');
    assert.equal(sc.domain, undefined);
    assert.ok(login.setCookies.some((k) => k.name === 'okpay_pre' && k.maxAge === 0), 'pre-session cookie cleared');
    assert.ok(!login.setCookies.some((k) => k.name.startsWith('__Host-')));

    const ov = await c.page('/zh/account/');
    assert.equal(ov.status, 200);
    assert.match(ov.text, /<p class="summary">[^<]*李伟<\/p>/, 'greets by name');
    assert.match(ov.text, /<dd>李伟<\/dd>/, 'shows the name');
    assert.match(ov.text, new RegExp(`<dd>${email}\\s*<span class="badge[^"]*">${ui.zh.email_verified}</span>`), 'email shown as verified');
    assert.ok(!ov.text.includes(ui.zh.email_unverified));
    const activity = rows(ov.text).slice(1);
    assert.deepEqual(activity.map((r) => r[0]), [ui.zh.event_login, ui.zh.event_email_verified, ui.zh.event_registered], 'activity, newest first');
    assert.match(activity[0][1], /^\d{4}-\d\d-\d\d \d\d:\d\d/);
    assert.deepEqual(activity[0].slice(2), ['127.0.0.1', 'Chrome on Windows'], 'the login with IP and device');

    const session = c.jar.get('okpay_session');
    const out = await c.post('/zh/account/logout', { csrf: ov.csrf });
    assert.equal(out.status, 303);
    assert.equal(out.location, '/zh/account/login?bye=1');
    assert.ok(out.setCookies.some((k) => k.name === 'okpay_session' && k.maxAge === 0), 'session cookie cleared');
    assert.equal(sql(srv.db, `select count(*) from sessions where user_id = ${u.id} and ended_at = 0`), '0');
    const bye = await c.get(out.location);
    assert.ok(bye.text.includes(esc(ui.zh.logged_out_text)));

    // The old cookie, replayed, opens nothing.
    const replay = new PortalClient(srv.base);
    replay.jar.set('okpay_session', session);
    const again = await replay.get('/zh/account/');
    assert.equal(again.status, 303);
    assert.equal(again.location, '/zh/account/login?next=/zh/account/');
  });

  // --- 2 -----------------------------------------------------------------------------------

  it('refuses every bad registration input with 400, the message at the field, and no change', async () => {
    const c = new PortalClient(srv.base);
    mail.skip();
    const name = '王小明';
    const email = uniqueEmail('bad.input');
    const ok = { name, email, password: PW, password2: PW, terms: 'yes' };
    const cases = [
      ['empty name', { name: '' }, 'name', 'err_name_empty'],
      ['blank name (U+3000 and spaces)', { name: ' \u3000 ' }, 'name', 'err_name_empty'],
      ['name of 101 characters', { name: '李'.repeat(101) }, 'name', 'err_name_too_long'],
      ['name with a bidi override', { name: 'Bob\u202e (admin)' }, 'name', 'err_name_invalid'],
      ['email without @', { email: 'wang.example.com' }, 'email', 'err_email_invalid'],
      ['email with two @', { email: 'wang@xiao@example.com' }, 'email', 'err_email_invalid'],
      ['email with a one-label domain', { email: 'wang@example' }, 'email', 'err_email_invalid'],
      ['email with a bad domain label', { email: 'wang@-example.com' }, 'email', 'err_email_invalid'],
      ['email with an underscore domain', { email: 'wang@exa_mple.com' }, 'email', 'err_email_invalid'],
      ['empty email', { email: '' }, 'email', 'err_email_empty'],
      ['password of 7 characters', { password: 'Xq9#zK2', password2: 'Xq9#zK2' }, 'password', 'err_password_too_short'],
      ['password of 129 characters', { password: 'kX7'.repeat(43), password2: 'kX7'.repeat(43) }, 'password', 'err_password_too_long'],
      ['password equal to the email', { email: 'wang.xiaoming.qz@example.com', password: 'Wang.Xiaoming.QZ@example.com', password2: 'Wang.Xiaoming.QZ@example.com' }, 'password', 'err_password_same_as_email'],
      ['password equal to the name', { name: 'Quill Marrow Tangent', password: 'quill marrow tangent', password2: 'quill marrow tangent' }, 'password', 'err_password_same_as_name'],
      ['guessable password', { password: 'password123', password2: 'password123' }, 'password', 'err_password_guessable'],
      ['empty password', { password: '', password2: '' }, 'password', 'err_password_empty'],
      ['mismatched passwords', { password2: `${PW}!` }, 'password2', 'err_password_mismatch'],
      ['terms not accepted', { terms: '' }, 'terms', 'err_terms'],
      ['terms with another value', { terms: 'on' }, 'terms', 'err_terms'],
    ];
    for (const [label, change, field, key] of cases) {
      const fields = { ...ok, ...change };
      const before = counts(srv.db);
      const r = await c.submit('/zh/account/register', fields);
      assert.equal(r.status, 400, label);
      assert.equal(r.headers.get('cache-control'), 'no-store', label);
      const msg = esc(ui.zh[key]);
      // Next to the field, tied to it by aria-describedby, and in the summary.
      const input = tag(r.text, `input[^>]*\\bid="${field}"`);
      assert.ok(input, `${label}: input #${field}`);
      assert.ok((input.attrs['aria-describedby'] || '').split(' ').includes(`${field}-error`), `${label}: aria-describedby in ${input.tag}`);
      assert.equal(input.attrs['aria-invalid'], 'true', `${label}: aria-invalid`);
      assert.equal(byId(r.text, `${field}-error`), msg, `${label}: the message at the field`);
      const summary = byId(r.text, 'error-summary-title') !== null && r.text.slice(r.text.indexOf('error-summary'));
      assert.ok(summary && summary.includes(`<a href="#${field}">${msg}</a>`), `${label}: the message in the summary`);
      assert.equal((r.text.match(/id="[a-z0-9]+-error"/g) || []).length, 1, `${label}: only this error`);
      // Name and email are kept, passwords never.
      if (fields.name.trim()) assert.equal(tag(r.text, 'input[^>]*\\bid="name"').attrs.value, esc(fields.name), `${label}: keeps the name`);
      assert.equal(tag(r.text, 'input[^>]*\\bid="email"').attrs.value, esc(fields.email), `${label}: keeps the email`);
      for (const i of r.text.match(/<input[^>]*type="password"[^>]*>/g)) assert.doesNotMatch(i, /\svalue=/, `${label}: password input without value`);
      for (const pw of [fields.password, fields.password2]) {
        if (pw && !fields.email.toLowerCase().includes(pw.toLowerCase()) && !fields.name.toLowerCase().includes(pw.toLowerCase())) {
          assert.ok(!r.text.includes(pw) && !r.text.includes(esc(pw)), `${label}: the password is not in the page`);
        }
      }
      assert.deepEqual(counts(srv.db), before, `${label}: database unchanged`);
    }
    assert.equal(userRow(srv.db, email), null, 'no user was created');
    assert.deepEqual(await mail.unseenAfter(300), [], 'no mail');

    // The English form speaks English.
    const en = await c.submit('/en/account/register', { ...ok, name: '', terms: '' });
    assert.equal(en.status, 400);
    assert.match(en.text, /<html lang="en"/);
    assert.equal(byId(en.text, 'name-error'), esc(ui.en.err_name_empty));
    assert.equal(byId(en.text, 'terms-error'), esc(ui.en.err_terms));
    assert.ok(en.text.includes(esc(ui.en.form_errors_title)));
    assert.ok(!en.text.includes(ui.zh.err_name_empty));
  });

  // --- 3 -----------------------------------------------------------------------------------

  it('answers malformed bodies 400, oversized 413, wrong methods 405, other types 415', async () => {
    const c = new PortalClient(srv.base);
    const { csrf } = await c.page('/zh/account/register');
    const before = counts(srv.db);
    const good = `email=${encodeURIComponent(uniqueEmail('malformed'))}&password=${encodeURIComponent(PW)}&password2=${encodeURIComponent(PW)}&terms=yes`;
    for (const bad of ['name=%E4%B8', 'name=%G1', 'name=%FF', 'name=%', 'name=abc%2', 'na%ZZme=x', 'name=a%00b']) {
      const r = await c.post('/zh/account/register', `csrf=${csrf}&${good}&${bad}`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.headers.get('cache-control'), 'no-store', bad);
      assert.ok(r.text.includes(esc(ui.zh.error_400_title)), `${bad}: the 400 page`);
    }
    for (const q of ['/zh/account/login?next=%ZZ', '/zh/account/register?x=%FF', '/zh/account/verify?token=%E4']) {
      const r = await c.get(q);
      assert.equal(r.status, 400, q);
      assert.equal(r.headers.get('cache-control'), 'no-store', q);
    }
    const bad = await c.get('/en/account/%FF');
    assert.equal(bad.status, 400, 'a path that is not UTF-8');
    assert.ok(bad.text.includes(esc(ui.en.error_400_title)));

    const big = await c.post('/zh/account/register', `csrf=${csrf}&name=${'x'.repeat(64 * 1024)}`);
    assert.equal(big.status, 413, 'a body over 64 KiB');

    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const r = await c.request('/zh/account/login', { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `csrf=${csrf}` });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get('allow'), 'GET, HEAD, POST', method);
      assert.equal(r.headers.get('cache-control'), 'no-store', method);
    }
    const getLogout = await c.get('/zh/account/logout');
    assert.equal(getLogout.status, 405);
    assert.equal(getLogout.headers.get('allow'), 'POST');
    const postSent = await c.post('/zh/account/register/sent', { csrf });
    assert.equal(postSent.status, 405);
    assert.equal(postSent.headers.get('allow'), 'GET, HEAD');

    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/json', 'application/x-www-form-urlencodedx']) {
      const r = await c.post('/zh/account/register', `csrf=${csrf}&${good}&name=x`, { contentType: type });
      assert.equal(r.status, 415, type);
      assert.equal(r.headers.get('cache-control'), 'no-store', type);
      assert.ok(r.text.includes(esc(ui.zh.error_415_title)), `${type}: the 415 page`);
    }
    const charset = await c.post('/zh/account/login', `csrf=${csrf}&email=x`, { contentType: 'application/x-www-form-urlencoded; charset=UTF-8' });
    assert.equal(charset.status, 401, 'a charset parameter is fine');

    const nf = await c.get('/zh/account/no-such-page');
    assert.equal(nf.status, 404);
    assert.equal(nf.headers.get('cache-control'), 'no-store');
    assert.deepEqual(counts(srv.db), before, 'nothing stored');
  });

  // nginx answers bodies over client_max_body_size itself (the service's own 413 cannot be
  // reached through nginx, whose limit is the same 64 KiB); the portal locations add no-store.
  it('sends Cache-Control: no-store with the 413 for an oversized body too', async () => {
    const c = new PortalClient(srv.base);
    const r = await c.post('/zh/account/login', `email=${'x'.repeat(64 * 1024 + 1)}`);
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('cache-control'), 'no-store');
  });

  // --- 4 -----------------------------------------------------------------------------------

  it('answers a registration for an existing address exactly like one for a new address', async () => {
    const owner = 'li.wei@example.com';
    if (!userRow(srv.db, owner)) {
      assert.equal((await register(new PortalClient(srv.base), { name: '李伟', email: owner })).status, 303);
      await verifyLink(owner);
    }
    const ownerBefore = sql(srv.db, `select name, password_hash, verified_at from users where email_key = '${owner}'`);
    const c = new PortalClient(srv.base);
    const fresh = uniqueEmail('zhang.min');
    const before = counts(srv.db);
    const rNew = await register(c, { name: '张敏', email: fresh });
    const rDup = await register(c, { name: '冒名者', email: owner, password: 'another quiet harbor 42', password2: 'another quiet harbor 42' });
    const rCase = await register(c, { name: '冒名者', email: 'Li.Wei@EXAMPLE.com' });
    for (const [label, r] of [['existing address', rDup], ['existing address, other case', rCase]]) {
      assert.equal(r.status, rNew.status, label);
      assert.equal(r.location, rNew.location, label);
      assert.equal(r.text, rNew.text, `${label}: body`);
      assert.deepEqual(headerPairs(r), headerPairs(rNew), `${label}: headers`);
    }
    assert.equal(rNew.status, 303);
    assert.equal(rNew.location, '/zh/account/register/sent');
    const pages = await Promise.all([rNew, rDup, rCase].map((r) => c.get(r.location)));
    for (const p of pages) {
      assert.equal(p.status, 200);
      assert.equal(p.text, pages[0].text, 'the same "sent" page');
    }

    const after = counts(srv.db);
    assert.equal(after.users, before.users + 1, 'only the new address got an account');
    assert.equal(sql(srv.db, `select count(*) from users where email_key = '${owner}'`), '1');
    assert.equal(sql(srv.db, `select name, password_hash, verified_at from users where email_key = '${owner}'`), ownerBefore, 'the existing account is untouched');

    await verifyLink(fresh);
    for (let i = 0; i < 2; i++) {
      const m = await mail.next({ to: owner, subject: ui.zh.mail_attempt_subject });
      assert.ok(m.text.includes(ui.zh.mail_attempt_text));
      assert.ok(m.text.includes(`${srv.base}/zh/account/login`), 'links the login page');
      assert.doesNotMatch(m.text, /token=/, 'no verify link for the owner');
    }
  });

  // --- 5 -----------------------------------------------------------------------------------

  it('refuses expired, used, replaced and forged verify tokens', async () => {
    const acct = await newAccount('token');
    const c = new PortalClient(srv.base);

    // Expired.
    sql(srv.db, `update tokens set expires_at = 0 where user_id = (select id from users where email_key = '${acct.email}')`);
    const exp = await c.page(pathOf(acct.link));
    assert.equal(exp.status, 410);
    assert.equal(exp.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(exp.text.includes(esc(ui.zh.verify_expired_text)));
    assert.ok(tag(exp.text, 'form[^>]*method="post"[^>]*action="/zh/account/verify/resend"'), 'offers the resend form');
    assert.ok(tag(exp.text, 'input[^>]*name="email"'), 'asking for the email');
    const expPost = await c.post('/zh/account/verify', { csrf: exp.csrf, token: tokenOf(acct.link) });
    assert.equal(expPost.status, 410);
    assert.equal(userRow(srv.db, acct.email).verifiedAt, 0);

    // Two resends: each replaces the links before it.
    const links = [];
    for (let i = 0; i < 2; i++) {
      const r = await c.submit('/zh/account/verify/resend', { email: acct.email });
      assert.equal(r.status, 303);
      assert.equal(r.location, '/zh/account/verify/sent');
      links.push(await verifyLink(acct.email));
    }
    assert.notEqual(tokenOf(links[0]), tokenOf(links[1]));
    const first = await c.page(pathOf(links[0]));
    assert.equal(first.status, 410, 'the first resent link no longer works');
    assert.ok(first.text.includes(esc(ui.zh.verify_used_text)));
    const firstPost = await c.post('/zh/account/verify', { csrf: first.csrf, token: tokenOf(links[0]) });
    assert.equal(firstPost.status, 410);
    assert.equal(userRow(srv.db, acct.email).verifiedAt, 0);

    // The newest works once.
    const v = await c.page(pathOf(links[1]));
    assert.equal(v.status, 200);
    const ok = await c.post('/zh/account/verify', { csrf: v.csrf, token: tokenOf(links[1]) });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(userRow(srv.db, acct.email).verifiedAt > 0);
    const twice = await c.post('/zh/account/verify', { csrf: v.csrf, token: tokenOf(links[1]) });
    assert.equal(twice.status, 410, 'a used token');
    assert.ok(twice.text.includes(esc(ui.zh.verify_used_text)));
    assert.equal((await c.get(pathOf(links[1]))).status, 410);

    // Forged and malformed.
    const before = counts(srv.db);
    const forged = crypto.randomBytes(32).toString('base64url');
    for (const t of [forged, 'abc', '', `${forged.slice(0, 42)}!`, `${forged}A`]) {
      const g = await c.page(`/zh/account/verify?token=${encodeURIComponent(t)}`);
      assert.equal(g.status, 400, `GET token "${t}"`);
      assert.equal(g.headers.get('referrer-policy'), 'no-referrer');
      assert.ok(g.text.includes(esc(ui.zh.verify_invalid_text)), `GET token "${t}": explains`);
      const p = await c.post('/zh/account/verify', { csrf: g.csrf, token: t });
      assert.equal(p.status, 400, `POST token "${t}"`);
    }
    assert.equal((await c.get('/zh/account/verify')).status, 400, 'no token at all');
    assert.deepEqual(counts(srv.db), before, 'forged tokens change nothing');
  });

  // --- 6 -----------------------------------------------------------------------------------

  it('refuses POSTs without a valid csrf token or from another site with 403', async () => {
    const c = new PortalClient(srv.base);
    const other = new PortalClient(srv.base);
    const email = uniqueEmail('csrf');
    const reg = { name: '赵雷', email, password: PW, password2: PW, terms: 'yes' };
    const login = { email: 'li.wei@example.com', password: PW };
    const { csrf } = await c.page('/zh/account/register');
    const { csrf: otherCsrf } = await other.page('/zh/account/register');
    assert.notEqual(csrf, otherCsrf);
    const before = counts(srv.db);
    const attempts = [
      ['no csrf', {}, {}],
      ['empty csrf', { csrf: '' }, {}],
      ['random csrf', { csrf: crypto.randomBytes(32).toString('base64url') }, {}],
      ["another visitor's csrf", { csrf: otherCsrf }, {}],
      ['Origin of another site', { csrf }, { origin: 'http://evil.example' }],
      ['Origin null', { csrf }, { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { csrf }, { headers: { 'sec-fetch-site': 'cross-site' } }],
      ['Sec-Fetch-Site: same-site', { csrf }, { headers: { 'sec-fetch-site': 'same-site' } }],
    ];
    for (const [action, fields] of [['/zh/account/register', reg], ['/zh/account/login', login], ['/zh/account/verify/resend', { email }], ['/zh/account/logout', {}]]) {
      for (const [label, extra, opts] of attempts) {
        const r = await c.post(action, { ...fields, ...extra }, opts);
        assert.equal(r.status, 403, `${action}: ${label}`);
        assert.ok(r.text.includes(esc(ui.zh.error_403_title)), `${action}: ${label}: the 403 page`);
        assert.equal(r.headers.get('cache-control'), 'no-store');
      }
    }
    // A visitor without any cookie has no token to send.
    const bare = await c.post('/zh/account/register', { ...reg, csrf }, { cookies: false });
    assert.equal(bare.status, 403, 'csrf without its pre-session cookie');
    assert.deepEqual(counts(srv.db), before, 'nothing changed');
    assert.equal(userRow(srv.db, email), null);

    // The same login with everything right gets past the check (401: wrong password).
    const ctl = await c.post('/zh/account/login', { ...login, password: 'not the password at all', csrf }, { headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(ctl.status, 401);
  });

  // --- 7 -----------------------------------------------------------------------------------

  it('fails logins alike for a wrong password and an unknown email, and records them', async () => {
    const acct = await newAccount('wang.fang', { name: '王芳' });
    const unknown = uniqueEmail('nobody');
    const c = new PortalClient(srv.base);
    const { csrf } = await c.page('/zh/account/login');
    const attempt = async (email) => {
      const t0 = performance.now();
      const r = await c.post('/zh/account/login', { csrf, email, password: 'wrong but plausible 99' });
      return { ...r, ms: performance.now() - t0, norm: r.text.split(csrf).join('').split(esc(email)).join('EMAIL') };
    };
    const wrong = [];
    const none = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await attempt(acct.email));
      none.push(await attempt(unknown));
    }
    for (const r of [...wrong, ...none]) {
      assert.equal(r.status, 401);
      assert.ok(r.text.includes(esc(ui.zh.err_login)));
      assert.equal(r.norm, wrong[0].norm, 'the same page for both failures');
      assert.deepEqual(headerPairs(r), headerPairs(wrong[0]));
    }
    const ratio = median(wrong.map((r) => r.ms)) / median(none.map((r) => r.ms));
    assert.ok(ratio > 0.5 && ratio < 2.0, `wrong password / unknown email time ratio ${ratio.toFixed(2)} (${wrong.map((r) => r.ms.toFixed(0))} vs ${none.map((r) => r.ms.toFixed(0))} ms)`);

    // Five failures start the login waits (tests/integration/throttle.test.js); end them here.
    sql(srv.db, "delete from rate_limits where key like 'login-fail:%'");

    // next= to a page of ours is honoured, and the failures show in the activity.
    const form = await c.page('/zh/account/login?next=/zh/account/');
    assert.equal(tag(form.text, 'input[^>]*name="next"').attrs.value, '/zh/account/', 'next= carried in the form');
    const ok = await c.post('/zh/account/login', { csrf: form.csrf, email: acct.email, password: PW, next: '/zh/account/' });
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/zh/account/');
    const ov = await c.get('/zh/account/');
    assert.equal(ov.status, 200);
    const failed = rows(ov.text).filter((r) => r[0] === ui.zh.event_login_failed);
    assert.equal(failed.length, 5, 'five failed logins in the activity');
    for (const r of failed) assert.deepEqual(r.slice(2), ['127.0.0.1', 'Chrome on Windows']);
    assert.match(ov.text, new RegExp(`<strong>${ui.zh.event_login_failed}</strong>`), 'failures stand out');
    assert.equal(sql(srv.db, `select count(*) from events where kind = 'login_failed' and user_id = ${userRow(srv.db, acct.email).id}`), '5');

    // next= elsewhere is ignored.
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example/', '/zh//evil.example/']) {
      const v = new PortalClient(srv.base);
      const f = await v.page(`/zh/account/login?next=${encodeURIComponent(next)}`);
      assert.doesNotMatch(f.text, /name="next"/, `${next}: not carried in the form`);
      if (!next.startsWith('/')) {
        const r = await v.post('/zh/account/login', { csrf: f.csrf, email: acct.email, password: PW, next });
        assert.equal(r.status, 303, next);
        assert.equal(r.location, '/zh/account/', `${next}: ignored`);
      }
    }
    // A signed-in visitor asking for the login page goes to the account.
    const again = await c.get('/zh/account/login');
    assert.equal(again.status, 303);
    assert.equal(again.location, '/zh/account/');
  });

  // --- 8 -----------------------------------------------------------------------------------

  it('creates one account from 20 simultaneous registrations of one address', async () => {
    const c = new PortalClient(srv.base);
    const email = uniqueEmail('race');
    const { csrf } = await c.page('/zh/account/register');
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => c.post('/zh/account/register', {
      csrf, name: `并发 ${i}`, email, password: PW, password2: PW, terms: 'yes',
    })));
    assert.deepEqual(rs.map((r) => `${r.status} ${r.location}`), Array(20).fill('303 /zh/account/register/sent'));
    assert.equal(sql(srv.db, `select count(*) from users where email_key = '${email}'`), '1', 'exactly one user');
    assert.equal(sql(srv.db, `select count(*) from tokens where user_id = (select id from users where email_key = '${email}')`), '1', 'one verify token');
    await verifyLink(email);
  });

  // --- 9 -----------------------------------------------------------------------------------

  it('shows the outbox with clickable links at /_dev/mail in dev mode', async () => {
    const acct = await newAccount('devmail');
    const c = new PortalClient(srv.base);
    const list = await c.get('/_dev/mail');
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('cache-control'), 'no-store');
    const links = [...list.text.matchAll(/<a href="\/_dev\/mail\/(\d+)">([^<]*)<\/a>/g)];
    assert.equal(links.length, Number(sql(srv.db, 'select count(*) from outbox')), 'every mail is listed');
    const row = rows(list.text).find((r) => r.includes(acct.email));
    assert.ok(row, `the mail to ${acct.email} is listed`);
    assert.ok(row.includes(esc(ui.zh.mail_verify_subject)), 'with its subject');
    const id = sql(srv.db, `select max(id) from outbox where to_addr = '${acct.email}'`);
    assert.ok(links.some((l) => l[1] === id), 'linked to its page');
    const show = await c.get(`/_dev/mail/${id}`);
    assert.equal(show.status, 200);
    assert.ok(show.text.includes(`<a href="${acct.link}">${acct.link}</a>`), 'the verify link is clickable');
    for (const p of ['/_dev/mail/0', '/_dev/mail/999999', '/_dev/mail/x', '/_dev/other']) assert.equal((await c.get(p)).status, 404, p);
    const post = await c.post('/_dev/mail', {});
    assert.equal(post.status, 405);
  });

  describe('a portal without --dev', () => {
    let prod;
    let prodMail;
    const known = uniqueEmail('prod.known');

    before(async () => {
      prod = await start({ dev: false });
      prodMail = new Mailbox(prod.mailDir);
    });

    it('has no /_dev/mail and names its cookies __Host- with Secure', async () => {
      const c = new PortalClient(prod.base);
      for (const p of ['/_dev/mail', '/_dev/mail/', '/_dev/mail/1']) {
        const r = await c.get(p);
        assert.equal(r.status, 404, p);
        assert.equal(r.headers.get('cache-control'), 'no-store');
      }
      const form = await c.page('/zh/account/register');
      const pre = form.setCookies.find((k) => k.name === '__Host-okpay_pre');
      assert.ok(pre, `__Host-okpay_pre in ${JSON.stringify(form.setCookies.map((k) => k.raw))}`);
      assert.ok(pre.secure && pre.httpOnly && pre.path === '/' && pre.domain === undefined && pre.sameSite === 'Lax', pre.raw);
      assert.ok(!form.setCookies.some((k) => k.name === 'okpay_pre'));

      const r = await c.post('/zh/account/register', { csrf: form.csrf, name: '周杰', email: known, password: PW, password2: PW, terms: 'yes' });
      assert.equal(r.status, 303);
      await verifyLink(known, prodMail);
      const login = await c.submit('/zh/account/login', { email: known, password: PW });
      assert.equal(login.status, 303);
      const sc = login.setCookies.find((k) => k.name === '__Host-okpay_session');
      assert.ok(sc, `__Host-okpay_session in ${JSON.stringify(login.setCookies.map((k) => k.raw))}`);
      assert.ok(sc.secure && sc.httpOnly && sc.path === '/' && sc.domain === undefined && sc.sameSite === 'Lax', sc.raw);
      assert.ok(!login.setCookies.some((k) => k.name === 'okpay_session'));
      const ov = await c.get('/zh/account/');
      assert.equal(ov.status, 200);
      assert.ok(ov.text.includes(esc(ui.zh.email_unverified)));
      // A cookie without the prefix means nothing here.
      const plain = new PortalClient(prod.base);
      plain.jar.set('okpay_session', c.jar.get('__Host-okpay_session'));
      assert.equal((await plain.get('/zh/account/')).status, 303);
    });

    // --- 10 ----------------------------------------------------------------------------------

    it('answers resend requests alike for known and unknown addresses, and limits them', async () => {
      const c = new PortalClient(prod.base);
      prodMail.skip();
      const before = counts(prod.db);
      const rKnown = await c.submit('/zh/account/verify/resend', { email: known });
      const rUnknown = await c.submit('/zh/account/verify/resend', { email: uniqueEmail('prod.unknown') });
      assert.equal(rKnown.status, 303);
      assert.equal(rKnown.location, '/zh/account/verify/sent');
      assert.equal(rUnknown.status, rKnown.status);
      assert.equal(rUnknown.location, rKnown.location);
      assert.equal(rUnknown.text, rKnown.text);
      assert.deepEqual(headerPairs(rUnknown), headerPairs(rKnown));
      const sentPage = await c.get(rKnown.location);
      assert.ok(sentPage.text.includes(esc(ui.zh.resend_sent_text)));
      await verifyLink(known, prodMail);
      assert.equal(counts(prod.db).outbox, before.outbox + 1, 'a mail for the known address only');

      // Five an hour from one address: three more pass, the sixth is refused.
      for (let i = 0; i < 3; i++) {
        const r = await c.submit('/zh/account/verify/resend', { email: uniqueEmail('prod.more') });
        assert.equal(r.status, 303, `request ${i + 3}`);
      }
      const outbox = counts(prod.db).outbox;
      const limited = await c.submit('/zh/account/verify/resend', { email: known });
      assert.equal(limited.status, 429, 'the sixth request within the hour');
      const retry = limited.headers.get('retry-after');
      assert.match(retry || '', /^\d+$/, 'Retry-After in seconds');
      assert.ok(Number(retry) > 0 && Number(retry) <= 3600, `Retry-After ${retry}`);
      assert.equal(limited.headers.get('cache-control'), 'no-store');
      assert.match(limited.text, /<html lang="zh-CN"/);
      assert.match(limited.text, new RegExp(`<h1>\\s*${esc(ui.zh.error_429_title)}\\s*</h1>`), 'a friendly page');
      assert.ok(limited.text.includes(esc(ui.zh.error_429_text)));
      assert.equal(counts(prod.db).outbox, outbox, 'no mail for a refused request');
      const en = await c.submit('/en/account/verify/resend', { email: known });
      assert.equal(en.status, 429);
      assert.ok(en.text.includes(esc(ui.en.error_429_text)));
    });

    it('keeps tokens, cookies and passwords out of its request log', () => {
      const log = fs.readFileSync(path.join(prod.dir, 'portal.log'), 'utf8');
      assert.ok(log.split('\n').length > 10);
      for (const s of secrets) assert.ok(!log.includes(s), `the request log shows a secret (${s.slice(0, 6)}...)`);
    });
  });

  // Regression: the per-address limit was keyed on the address as typed while accounts are
  // found by lower(email), so changing the case of the local part bought more mails.
  it('limits resends per account whatever the case of the address', async () => {
    const p = await start(); // a fresh budget of five requests an hour for this client
    const mb = new Mailbox(p.mailDir);
    const email = uniqueEmail('case.limit');
    const c = new PortalClient(p.base);
    assert.equal((await register(c, { email })).status, 303);
    await verifyLink(email, mb);
    for (let i = 0; i < 3; i++) {
      assert.equal((await c.submit('/zh/account/verify/resend', { email })).status, 303);
      await verifyLink(email, mb);
    }
    const outbox = counts(p.db).outbox;
    const fourth = await c.submit('/zh/account/verify/resend', { email });
    assert.equal(fourth.status, 303);
    assert.equal(counts(p.db).outbox, outbox, 'the fourth resend for one address within the hour sends nothing');
    const [local, domain] = email.split('@');
    const upper = await c.submit('/zh/account/verify/resend', { email: `${local.toUpperCase()}@${domain}` });
    assert.equal(upper.status, 303);
    assert.equal(counts(p.db).outbox, outbox, 'nor does a fifth with the address in capitals');
  });

  // --- 11 ----------------------------------------------------------------------------------

  describe('the request log', () => {
    const logFile = () => path.join(srv.dir, 'portal.log');
    const lines = () => fs.readFileSync(logFile(), 'utf8').split('\n').slice(0, -1);
    const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1 ([A-Z]+) (\/\S*) (\d{3}) \d+\.\dms$/;

    // The log is written after the response: wait until it has grown by n lines.
    async function grown(from, n) {
      const deadline = Date.now() + 2000;
      while (lines().length < from + n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100)); // and a little longer, for extra lines
      return lines().slice(from);
    }

    it('has one line per request: time, address, method, path, status, duration', async () => {
      const c = new PortalClient(srv.base);
      const from = lines().length;
      const reqs = [
        ['GET', '/zh/account/login', 200],
        ['GET', '/zh/account/login?next=/zh/account/', 200],
        ['HEAD', '/en/account/register', 200],
        ['POST', '/zh/account/login', 403],
        ['PUT', '/zh/account/login', 405],
        ['GET', '/zh/account/nothing-here', 404],
        ['GET', `/zh/account/verify?token=${crypto.randomBytes(32).toString('base64url')}`, 400],
        ['GET', '/zh/account/', 303],
      ];
      for (const [method, p, status] of reqs) {
        const r = method === 'POST' ? await c.post(p, { email: 'x' }) : await c.request(p, { method });
        assert.equal(r.status, status, `${method} ${p}`);
      }
      const got = await grown(from, reqs.length);
      assert.equal(got.length, reqs.length, `one line per request:\n${got.join('\n')}`);
      for (const l of got) assert.match(l, LINE);
      const seen = got.map((l) => { const m = l.match(LINE); return `${m[1]} ${m[2]} ${m[3]}`; }).sort();
      assert.deepEqual(seen, reqs.map(([m, p, s]) => `${m} ${p.split('?')[0]} ${s}`).sort(), 'paths without query strings');
    });

    // Regression: nginx hands over the decoded path, so an encoded newline could forge a log line.
    it('keeps a request whose path holds an encoded newline on one line', async () => {
      const c = new PortalClient(srv.base);
      const from = lines().length;
      const r = await c.get('/zh/account/%0A2030-01-01T00:00:00Z%20203.0.113.9%20POST%20/zh/account/login%20303%201.0ms');
      assert.equal(r.status, 404);
      const got = await grown(from, 1);
      assert.equal(got.length, 1, `one request, one line:\n${got.join('\n')}`);
      assert.match(got[0], LINE);
    });

    it('never holds a token, cookie value or password', () => {
      assert.ok(secrets.size > 20, `secrets collected: ${secrets.size}`);
      const log = fs.readFileSync(logFile(), 'utf8');
      assert.ok(log.length > 0);
      for (const s of secrets) assert.ok(!log.includes(s), `the request log shows a secret (${s.slice(0, 6)}...)`);
      assert.doesNotMatch(log, /token=|password|\?/, 'no query strings or form fields');
    });
  });

  // Checked last, over every response of the suite (nginx's own 413 is tested above).
  it('sent Cache-Control: no-store with every portal response', () => {
    assert.ok(responses.length > 100);
    const bad = responses.filter(([, status, cc]) => cc !== 'no-store' && status !== 413);
    assert.deepEqual(bad, []);
  });
});

// Hostile requests over HTTP through nginx (issue 9): SQL metacharacters in every field, markup
// in every field that is shown again, header injection in email fields, broken and overlong
// UTF-8, NUL bytes, huge fields, too many fields, duplicate fields, wrong content types and a
// body that never finishes. Each gets its status and a page that says what went wrong, changes
// nothing, and leaves the service answering.
'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const h = require('../lib/harness');
const { Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const { esc, sql, ledger, topUp, AddrClient, nextAddress } = w;
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

const SQLI = ["' OR 1=1 --", '"; DROP TABLE users; --', "1' UNION SELECT password_hash FROM users --", '%27%20OR%201=1'];
const XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)"];
// Raw markup of the payloads that must never come back unescaped.
const RAW = /<script>alert|<img src=x|' onmouseover='/;

// Row counts of the tables a refused request must not touch.
const TABLES = ['users', 'sessions', 'tokens', 'outbox', 'events', 'transfers', 'entries', 'deposits'];
function counts(db) {
  const out = sql(db, `select ${TABLES.map((t) => `(select count(*) from ${t})`).join(', ')}`).split('|').map(Number);
  return Object.fromEntries(TABLES.map((t, i) => [t, out[i]]));
}

describe('hostile requests through nginx', () => {
  const ui = w.loadUi();
  let site, srv, mail, payer, payee;
  const client = () => new AddrClient(srv.base, { localAddress: nextAddress() });

  // The service still answers, and quickly: a page that reads the database.
  async function healthy(what) {
    const r = await client().get('/zh/account/login');
    assert.equal(r.status, 200, `${what}: the service answers afterwards`);
  }

  // A refusal: one of the expected statuses, the portal's own page in the visitor's language.
  function refused(r, statuses, what) {
    assert.ok(statuses.includes(r.status), `${what}: status ${r.status}, expected ${statuses}`);
    assert.ok(r.status < 500, `${what}: ${r.status}`);
    assert.equal(r.headers.get('cache-control'), 'no-store', `${what}: no-store`);
    assert.match(r.text, /<html lang="(zh-CN|zh|en)"/, `${what}: a page of the site`);
  }

  before(async () => {
    site = h.buildSite();
    srv = await h.startPortal({ siteDir: site });
    mail = new Mailbox(srv.mailDir);
    [payer, payee] = await Promise.all([w.newUser(srv, mail, ui, { who: 'hostile' }), w.newUser(srv, mail, ui, { who: 'hostilepayee' })]);
    await topUp(payer.c, '100.00');
  });

  afterEach(() => w.assertAudit(srv.db));

  after(async () => {
    await srv.stop();
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
  });

  it('takes SQL metacharacters in every field as text: refused or handled, never an error, nothing changed', async () => {
    const before = counts(srv.db);
    for (const p of SQLI) {
      // Registration with a bad value in one field at a time (a mismatched second password
      // keeps every attempt a refusal, so nothing is stored).
      for (const field of ['name', 'email', 'password']) {
        const fields = { name: 'Li Wei', email: 'li@example.com', password: 'lantern orchard 7 velvet', password2: 'different 9 words here', terms: 'yes', [field]: p };
        const r = await client().submit('/zh/account/register', fields);
        refused(r, [400], `register ${field}=${p}`);
      }
      const login = await client().submit('/zh/account/login', { email: p, password: p });
      refused(login, [401, 400], `login ${p}`);
      const send = await payer.c.submit('/zh/account/send', { recipient: p, amount: '1.00', note: p, method: 'balance' });
      refused(send, [400], `send recipient=${p}`);
      const amount = await payer.c.submit('/zh/account/send', { recipient: payee.email, amount: p, note: '', method: 'balance' });
      refused(amount, [400], `send amount=${p}`);
      const search = await client().get(`/zh/search?q=${encodeURIComponent(p)}`);
      assert.ok([200, 503].includes(search.status), `search ${p}: ${search.status}`);
      const history = await payer.c.get(`/zh/account/transactions?q=${encodeURIComponent(p)}`);
      assert.ok(history.status < 500, `history q=${p}: ${history.status}`);
    }
    assert.deepEqual(counts(srv.db), before, 'nothing stored');
    assert.equal(Number(sql(srv.db, 'select count(*) from users')), before.users, 'the users table is there');
    await healthy('SQL metacharacters');
  });

  it('shows markup typed into any field only escaped', async () => {
    const before = counts(srv.db);
    for (const p of XSS) {
      const reg = await client().submit('/en/account/register', { name: p, email: `x${Date.now()}@example.com`, password: 'lantern orchard 7 velvet', password2: 'other words 9 here', terms: 'yes' });
      refused(reg, [400], `register name ${p}`);
      assert.doesNotMatch(reg.text, RAW, `register echoes ${p} raw`);
      assert.ok(reg.text.includes(esc(p)), `register keeps ${p}, escaped`);
      const send = await payer.c.submit('/en/account/send', { recipient: 'nobody@example.com', amount: '1.00', note: p, method: 'balance' });
      refused(send, [400], `send note ${p}`);
      assert.doesNotMatch(send.text, RAW, `send echoes ${p} raw`);
      assert.ok(send.text.includes(esc(p)), `send keeps the note ${p}, escaped`);
      const search = await client().get(`/en/search?q=${encodeURIComponent(p)}`);
      assert.doesNotMatch(search.text, RAW, `search echoes ${p} raw`);
    }
    assert.deepEqual(counts(srv.db), before);
    await healthy('markup');
  });

  it('refuses line breaks in email fields: no header injection reaches a mail', async () => {
    const before = counts(srv.db);
    for (const inj of ['li@example.com\r\nBcc: evil@example.com', 'li@example.com\nBcc: evil@example.com', 'li@example.com%0d%0aBcc:evil@example.com']) {
      const reg = await client().submit('/zh/account/register', { name: 'Li Wei', email: inj, password: 'lantern orchard 7 velvet', password2: 'lantern orchard 7 velvet', terms: 'yes' });
      refused(reg, [400], `register ${JSON.stringify(inj)}`);
      assert.ok(reg.text.includes(esc(ui.zh.err_email_invalid)), `register ${JSON.stringify(inj)}: says the address is not valid`);
      const forgot = await client().submit('/zh/account/password/forgot', { email: inj });
      assert.ok([303, 400].includes(forgot.status), `forgot ${JSON.stringify(inj)}: ${forgot.status}`);
      const send = await payer.c.submit('/zh/account/send', { recipient: inj, amount: '1.00', note: '', method: 'balance' });
      refused(send, [400], `send ${JSON.stringify(inj)}`);
    }
    assert.deepEqual(counts(srv.db), before, 'no account, token or mail');
    assert.equal(Number(sql(srv.db, "select count(*) from outbox where to_addr like '%Bcc%' or body_text like '%Bcc:%'")), 0);
    for (const m of mail.all()) assert.doesNotMatch(m.raw || '', /^Bcc:/mi, `mail ${m.file} has a Bcc header`);
  });

  it('answers broken encodings, NUL bytes, huge and too many fields, duplicates and other types with their status', async () => {
    const c = client();
    const { csrf } = await c.page('/zh/account/login');
    const before = counts(srv.db);
    const post = (body, opts) => c.post('/zh/account/login', `csrf=${encodeURIComponent(csrf)}&${body}`, opts);
    for (const bad of ['email=%C0%AF', 'email=%ED%A0%80', 'email=%F8%88%80%80%80', 'email=a%FFb', 'email=%E4%B8', 'email=a%00b', 'email=a\u0000b'.replace('\u0000', '%00')]) {
      const r = await post(`${bad}&password=x`);
      refused(r, [400], bad);
      assert.ok(r.text.includes(esc(ui.zh.error_400_title)), `${bad}: the 400 page`);
    }
    const huge = await post(`email=${'a'.repeat(1024 * 1024)}&password=x`);
    assert.equal(huge.status, 413, 'a 1 MiB field');
    const many = await post(Array.from({ length: 10000 }, (_, i) => `f${i}=1`).join('&').slice(0, 60000));
    refused(many, [400, 413], '10,000 fields');
    for (const dup of ['email=a@example.com&email=b@example.com&password=x', 'email=a@example.com&password=x&password=y']) {
      const r = await post(dup);
      refused(r, [400], `duplicate: ${dup}`);
    }
    const dupCsrf = await c.post('/zh/account/login', `csrf=${encodeURIComponent(csrf)}&csrf=x&email=a@example.com&password=x`);
    refused(dupCsrf, [400], 'csrf twice');
    const dupQuery = await c.get('/zh/search?q=a&q=b');
    refused(dupQuery, [400], 'a query parameter twice');
    // A send whose amount is given twice moves nothing.
    const ledger0 = ledger(srv.db);
    const pg = await payer.c.page('/zh/account/send');
    const twice = await payer.c.post('/zh/account/send', `csrf=${encodeURIComponent(pg.csrf)}&recipient=${encodeURIComponent(payee.email)}&amount=1.00&amount=99.00&method=balance`);
    refused(twice, [400], 'amount twice');
    assert.deepEqual(ledger(srv.db), ledger0);
    for (const type of ['text/plain', 'application/json', 'text/xml', 'multipart/mixed; boundary=x']) {
      const r = await post('email=a@example.com&password=x', { contentType: type });
      refused(r, [415], type);
      assert.ok(r.text.includes(esc(ui.zh.error_415_title)), `${type}: the 415 page`);
    }
    assert.deepEqual(counts(srv.db), before, 'nothing stored');
    await healthy('encodings');
  });

  it('keeps serving while a client sends a body that never finishes, and drops that client', async () => {
    const { port } = new URL(srv.base);
    const sock = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => sock.on('connect', resolve));
    let closedAt = 0;
    let answer = '';
    sock.on('data', (d) => { answer += d; });
    const closed = new Promise((resolve) => sock.on('close', () => { closedAt = Date.now(); resolve(); }));
    const start = Date.now();
    sock.write(`POST /zh/account/login HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=a`);
    // Others are served meanwhile (nginx holds the slow body; the portal never waits for it).
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await healthy('slow body');
      assert.ok(Date.now() - t0 < 2000, 'answered quickly');
    }
    await closed;
    assert.ok(closedAt - start < 20000, `the slow client was dropped after ${closedAt - start} ms`);
    assert.ok(answer === '' || /^HTTP\/1\.1 408/.test(answer), `answer to the slow client: ${answer.slice(0, 40)}`);
  });
});

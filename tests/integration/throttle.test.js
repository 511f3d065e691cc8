// Brute-force protection and the new-device mail, over HTTP through nginx.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const h = require('../lib/harness');
const { Client, Mailbox } = require('../lib/http');

const PW = 'seven quiet rivers under bridges';
const sql = (db, q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' }).trim();

async function account(p, email, ua = 'Mozilla/5.0 (Windows NT 10.0) Chrome/120.0 Safari/537.36') {
  const c = new Client(p.base, { userAgent: ua });
  const r = await c.submit('/zh/account/register', { name: 'Throttle Test', email, password: PW, password2: PW, terms: 'yes' });
  assert.equal(r.status, 303);
  sql(p.db, `update users set verified_at = 1 where email = '${email}'`);
  return c;
}

const login = (c, email, password, ua) => c.submit('/zh/account/login', { email, password }, ua ? { headers: { 'user-agent': ua } } : {});

describe('brute-force protection', () => {
  let p;
  before(async () => { p = await h.startPortal(); });
  after(async () => { await p.stop(); });

  it('makes the sixth try after five wrong passwords wait, even with the right password, and mails the owner once', async () => {
    const email = 'guess.me@example.com';
    const c = await account(p, email);
    const mb = new Mailbox(p.mailDir);
    await mb.next({ to: email }); // the verification mail
    for (let i = 1; i <= 5; i++) {
      const r = await login(c, email, `wrong password ${i}`);
      assert.equal(r.status, 401, `failure ${i} gets the generic answer`);
    }
    const sixth = await login(c, email, PW);
    assert.equal(sixth.status, 429, 'the right password is refused during the wait');
    assert.ok(Number(sixth.headers.get('retry-after')) > 0 && Number(sixth.headers.get('retry-after')) <= 60);
    assert.match(sixth.text, /登录失败次数过多/);
    assert.match(sixth.text, /请在 1 分钟后再试/, 'the page says when to try again');
    const mail = await mb.next({ to: email, subject: /多次登录失败/ });
    assert.match(mail.text, /\/zh\/account\/password\/forgot/, 'with a reset link');
    await login(c, email, 'wrong again');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(mb.all().filter((m) => m.to === email && /多次登录失败/.test(m.subject)).length, 1, 'exactly one mail');
    assert.equal(sql(p.db, `select count(*) from events e join users u on u.id = e.user_id where u.email = '${email}' and kind = 'login_failed'`), '5');
  });

  it('lets the right password in once the wait is over, and starts counting afresh', async () => {
    const email = 'waited@example.com';
    const c = await account(p, email);
    for (let i = 0; i < 5; i++) await login(c, email, 'nope nope nope');
    assert.equal((await login(c, email, PW)).status, 429);
    // Move the last failure 61 seconds into the past: the one-minute wait is over.
    sql(p.db, `update rate_limits set updated_ms = updated_ms - 61000 where key = 'login-fail:${email}'`);
    const ok = await login(c, email, PW);
    assert.equal(ok.status, 303);
    assert.equal(sql(p.db, `select count(*) from rate_limits where key = 'login-fail:${email}'`), '0', 'failures forgotten after a success');
  });

  it('throttles unknown addresses the same way, so the wait reveals nothing', async () => {
    const c = new Client(p.base);
    for (let i = 0; i < 5; i++) assert.equal((await login(c, 'nobody.here@example.com', 'whatever words here')).status, 401);
    const r = await login(c, 'nobody.here@example.com', 'whatever words here');
    assert.equal(r.status, 429);
    assert.match(r.text, /登录失败次数过多/);
  });

  it('counts per address, not per spelling of it', async () => {
    const email = 'case.test@example.com';
    const c = await account(p, email);
    for (let i = 0; i < 5; i++) await login(c, i % 2 ? email.toUpperCase() : email, 'wrong wrong wrong');
    assert.equal((await login(c, 'Case.Test@Example.com', PW)).status, 429);
  });
});

describe('per-address rate limits', () => {
  it('answers 429 with Retry-After and a friendly page when one address sends too many logins', async () => {
    const p = await h.startPortal();
    try {
      const c = new Client(p.base);
      const pg = await c.page('/en/account/login');
      // The bucket holds 100 attempts; spend them without waiting for password hashes.
      sql(p.db, "insert into rate_limits (key, tokens, updated_ms) values ('login-ip:127.0.0.1', 0, strftime('%s','now') * 1000)");
      const r = await c.post('/en/account/login', { csrf: pg.csrf, email: 'a@example.com', password: 'x' });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.match(r.text, /Too many requests/);
      assert.match(r.text, /lang="en"/);
    } finally {
      await p.stop();
    }
  });
});

describe('new-device mail', () => {
  it('mails the owner on the first login from a device not seen in 90 days, not on known ones', async () => {
    const p = await h.startPortal();
    try {
      const email = 'devices@example.com';
      const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
      const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
      const c = await account(p, email, chrome);
      const mb = new Mailbox(p.mailDir);
      await mb.next({ to: email });
      assert.equal((await login(c, email, PW)).status, 303, 'first login ever: not news');
      assert.equal((await login(new Client(p.base, { userAgent: chrome }), email, PW)).status, 303, 'same device again');
      await new Promise((r) => setTimeout(r, 1200));
      assert.equal(mb.all().filter((m) => m.to === email && /新设备/.test(m.subject)).length, 0);
      assert.equal((await login(new Client(p.base, { userAgent: iphone }), email, PW)).status, 303);
      const mail = await mb.next({ to: email, subject: /新设备登录提醒/ });
      assert.match(mail.text, /Safari on iPhone/);
      assert.match(mail.text, /127\.0\.0\.1/);
      assert.match(mail.text, /\/zh\/account\/security/);
    } finally {
      await p.stop();
    }
  });
});

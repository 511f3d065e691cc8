// Two-step verification over HTTP through the real nginx and okpay-portal: enrolment with the
// password, the QR code and the first code; logins with a code, a recovery code, a reused code
// and too many wrong codes; the half-way state's expiry and browser binding; step-up for a
// large transfer, a new card, email and password changes; turning it off; the mails.
// Codes are computed here from the secret text on the page (RFC 6238 with node:crypto).
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client, Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const { PW, loadUi, esc, unesc, sql, errorsOf } = w;
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const NEW_CARD = '5555 5555 5555 4444';

// --- TOTP (RFC 6238: HMAC-SHA-1, 6 digits, 30 s), independent of the service -----------------

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    const v = alphabet.indexOf(ch);
    if (v < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// The code of step (a 30-second counter) for the key.
function hotp(key, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const off = mac[mac.length - 1] & 15;
  const n = ((mac[off] & 127) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(n % 1e6).padStart(6, '0');
}

// Assert that the page html shows the UI string text (escaped as the templates escape it).
function shows(html, text) {
  assert.ok(html.includes(esc(text)), `the page shows "${text}"`);
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

// A user's authenticator: the key read from the page, and codes for the steps around now. The
// service accepts a step either side of now and each step once, so a test takes the past
// step, then now, then the next: three codes without waiting for the clock.
class App {
  constructor(secretText) {
    this.key = base32(secretText);
  }

  code(offset = 0) {
    return hotp(this.key, stepNow() + offset);
  }
}

// --- the suite -------------------------------------------------------------------------------

describe('two-step verification', () => {
  const ui = loadUi();
  let site, srv, mail;

  before(async () => {
    site = h.buildSite();
    srv = await h.startPortal({ siteDir: site });
    mail = new Mailbox(srv.mailDir);
  });

  after(async () => {
    await srv.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
  });

  const events = (id) => sql(srv.db, `select kind from events where user_id = ${id} order by id`).split('\n');
  const count = (table, where) => Number(sql(srv.db, `select count(*) from ${table} where ${where}`));

  // Turn two-step verification on for u (a w.newUser) through the pages, using the step before
  // now for the first code. Returns { app, codes } (the 10 recovery codes as shown).
  async function enrol(u, lang = 'zh') {
    const start = await u.c.submit(`/${lang}/account/security`, { password: PW }, { action: `/${lang}/account/twostep/start` });
    assert.equal(start.status, 303, `start: ${start.status} ${errorsOf(start.text)}`);
    assert.equal(start.location, `/${lang}/account/twostep/setup`);
    const setup = await u.c.page(`/${lang}/account/twostep/setup`);
    assert.equal(setup.status, 200);
    const secret = unesc(setup.text.match(/<code id="twostep-secret"[^>]*>([^<]+)<\/code>/)[1]);
    assert.match(secret, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'the key in groups of four');
    const app = new App(secret);
    const on = await u.c.post(`/${lang}/account/twostep/setup`, { csrf: setup.csrf, code: app.code(-1) });
    assert.equal(on.status, 303, `enable: ${on.status} ${errorsOf(on.text)}`);
    assert.equal(on.location, `/${lang}/account/twostep/codes`);
    const page = await u.c.page(`/${lang}/account/twostep/codes`);
    assert.equal(page.status, 200);
    const codes = [...page.text.matchAll(/<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10, 'ten recovery codes');
    const done = await u.c.post(`/${lang}/account/twostep/codes/done`, { csrf: page.csrf });
    assert.equal(done.status, 303);
    return { app, codes };
  }

  // The password step of a login in a new browser of u's address; returns the client, after
  // checking it was sent to the code page without a session.
  async function halfLogin(u, lang = 'zh') {
    const c = new w.AddrClient(srv.base, { localAddress: u.address });
    const r = await c.submit(`/${lang}/account/login`, { email: u.email, password: PW });
    assert.equal(r.status, 303, `password step: ${r.status} ${errorsOf(r.text)}`);
    assert.equal(r.location, `/${lang}/account/login/code`);
    assert.ok(!r.setCookies.some((k) => /session$/.test(k.name) && k.value), 'no session cookie yet');
    return c;
  }

  async function codeStep(c, code, lang = 'zh') {
    const pg = await c.page(`/${lang}/account/login/code`);
    assert.equal(pg.status, 200, `code page: ${pg.status}`);
    return c.post(`/${lang}/account/login/code`, { csrf: pg.csrf, code });
  }

  it('enrols with the password, a QR code and a first code; mails the owner; logs in with a code', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'enrol' });
    // The security page offers it, behind the password.
    const sec = await u.c.page('/zh/account/security');
    assert.match(sec.text, /action="\/zh\/account\/twostep\/start"/);
    const wrong = await u.c.post('/zh/account/twostep/start', { csrf: sec.csrf, password: 'not the password' });
    assert.equal(wrong.status, 400);
    shows(wrong.text, ui.zh.err_current_password);
    assert.doesNotMatch(wrong.text, /not the password/, 'the password is never echoed');
    assert.equal(count('twostep', `user_id = ${u.id}`), 0, 'a wrong password changes nothing');
    // Without a pending enrolment there is no setup page and no QR code.
    assert.equal((await u.c.get('/zh/account/twostep/qr.svg')).status, 404);

    const start = await u.c.post('/zh/account/twostep/start', { csrf: sec.csrf, password: PW });
    assert.equal(start.status, 303);
    const setup = await u.c.page('/zh/account/twostep/setup');
    assert.equal(setup.status, 200);
    assert.equal(setup.headers.get('referrer-policy'), 'no-referrer');
    assert.match(setup.text, /<img src="\/zh\/account\/twostep\/qr.svg" alt="[^"]+"/);
    const secret = unesc(setup.text.match(/<code id="twostep-secret"[^>]*>([^<]+)<\/code>/)[1]);
    const app = new App(secret);
    assert.equal(app.key.length, 20, 'a 160-bit secret');
    // Stored sealed: neither the key's bytes nor its text are in the database.
    const stored = sql(srv.db, `select hex(secret) from twostep where user_id = ${u.id}`);
    assert.equal(stored.length, (20 + 40) * 2, 'nonce + box');
    assert.ok(!stored.includes(app.key.toString('hex').toUpperCase()), 'the secret is not stored in the clear');

    const qr = await u.c.get('/zh/account/twostep/qr.svg');
    assert.equal(qr.status, 200);
    assert.match(qr.headers.get('content-type'), /^image\/svg\+xml/);
    assert.match(qr.headers.get('cache-control'), /no-store/);
    assert.match(qr.text, /^<\?xml[^>]*>\s*<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(qr.text, /<script|style=|href=/i, 'no script, style or links in the image');
    assert.match(qr.text, /<path fill="#000" d="M/);

    // A wrong code, then an empty one: the page again with its message, nothing turned on.
    const bad = await u.c.post('/zh/account/twostep/setup', { csrf: setup.csrf, code: app.code(-1) === '000000' ? '111111' : '000000' });
    assert.equal(bad.status, 400);
    shows(bad.text, ui.zh.err_code_setup_wrong);
    assert.match(bad.text, /id="twostep-secret"/, 'the key is shown again');
    const empty = await u.c.post('/zh/account/twostep/setup', { csrf: setup.csrf, code: '' });
    assert.equal(empty.status, 400);
    shows(empty.text, ui.zh.err_code_empty);
    assert.equal(count('twostep', `user_id = ${u.id} and enabled_at != 0`), 0);

    const on = await u.c.post('/zh/account/twostep/setup', { csrf: setup.csrf, code: app.code(-1) });
    assert.equal(on.status, 303, errorsOf(on.text));
    const codesPage = await u.c.page('/zh/account/twostep/codes');
    const codes = [...codesPage.text.matchAll(/<li><code>([A-Z2-9]{5}-[A-Z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    assert.equal(count('recovery_codes', `user_id = ${u.id} and used_at = 0`), 10);
    for (const code of codes)
      assert.equal(count('recovery_codes', `hex(hash) like '%${Buffer.from(code).toString('hex').toUpperCase()}%'`), 0, 'stored as hashes');
    const txt = await u.c.get('/zh/account/twostep/codes.txt');
    assert.equal(txt.status, 200);
    assert.match(txt.headers.get('content-type'), /^text\/plain; charset=utf-8/);
    assert.match(txt.headers.get('content-disposition'), /^attachment; filename="okpay-recovery-codes.txt"/);
    for (const code of codes) assert.ok(txt.text.includes(`${code}\r\n`), `${code} in the file`);
    // Shown to this session only, and only until it says they are saved.
    const other = await w.newUser(srv, mail, ui, { who: 'other' });
    assert.equal((await other.c.get('/zh/account/twostep/codes.txt')).status, 404);
    const done = await u.c.post('/zh/account/twostep/codes/done', { csrf: codesPage.csrf });
    assert.equal(done.status, 303);
    assert.equal((await u.c.get('/zh/account/twostep/codes')).status, 303, 'codes page gone');
    assert.equal((await u.c.get('/zh/account/twostep/codes.txt')).status, 404);
    assert.equal(sql(srv.db, `select codes_box is null from twostep where user_id = ${u.id}`), '1');

    const m = await mail.next({ to: u.email, subject: ui.zh.mail_twostep_on_subject });
    shows(m.text, ui.zh.mail_twostep_on_text);
    assert.ok(events(u.id).includes('twostep_on'));
    const after = await u.c.page('/zh/account/security');
    assert.match(after.text, /id="twostep-left">[^<]*10/);

    // Log in: password, then the code page; the session only after the code.
    const c = await halfLogin(u);
    assert.equal((await c.get('/zh/account/')).status, 303, 'no session half-way');
    const used = app.code(0);
    const ok = await codeStep(c, used);
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.equal(ok.location, '/zh/account/');
    assert.equal((await c.get('/zh/account/')).status, 200, 'signed in');
    assert.ok(ok.setCookies.some((k) => k.name.endsWith('okpay_login') && k.value === ''), 'half-way cookie cleared');

    // The same code again, in another login: refused as a replay.
    const c2 = await halfLogin(u);
    const again = await codeStep(c2, used);
    assert.equal(again.status, 401);
    shows(again.text, ui.zh.err_code_wrong);
    assert.doesNotMatch(again.text, new RegExp(`value="${used}"`), 'the code is not kept in the form');
    assert.equal((await c2.get('/zh/account/')).status, 303, 'still no session');
    // The next step's code is still good.
    const next = await codeStep(c2, app.code(1));
    assert.equal(next.status, 303, errorsOf(next.text));
  });

  it('logs in with a recovery code once; the owner is mailed how many remain', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'recovery', lang: 'en' });
    const { codes } = await enrol(u, 'en');
    const c = await halfLogin(u, 'en');
    const ok = await codeStep(c, codes[3].toLowerCase().replace('-', ' '), 'en');
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.equal(ok.location, '/en/account/');
    const m = await mail.next({ to: u.email, subject: ui.en.mail_twostep_recovery_subject });
    assert.ok(m.text.includes(`${ui.en.mail_twostep_left_before}9`), m.text);
    assert.ok(events(u.id).includes('recovery_used'));
    assert.equal(count('recovery_codes', `user_id = ${u.id} and used_at = 0`), 9);

    const c2 = await halfLogin(u, 'en');
    const twice = await codeStep(c2, codes[3], 'en');
    assert.equal(twice.status, 401, 'a recovery code works once');
    shows(twice.text, ui.en.err_code_wrong);
    const other = await codeStep(c2, codes[4], 'en');
    assert.equal(other.status, 303);
  });

  it('refuses the sixth wrong code with 429 and Retry-After, even a right one, and mails once', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'throttle' });
    const { app } = await enrol(u);
    const c = await halfLogin(u);
    const right = app.code(0);
    const wrongCode = (i) => String((Number(right) + 1 + i) % 1e6).padStart(6, '0');
    for (let i = 0; i < 5; i++) {
      const r = await codeStep(c, wrongCode(i));
      assert.equal(r.status, 401, `wrong code ${i + 1}`);
    }
    const sixth = await codeStep(c, wrongCode(5));
    assert.equal(sixth.status, 429);
    assert.ok(Number(sixth.headers.get('retry-after')) > 0);
    shows(sixth.text, ui.zh.err_code_wait);
    const evenRight = await codeStep(c, right);
    assert.equal(evenRight.status, 429, 'while the wait lasts even the right code is refused');
    assert.equal(count('twostep', `user_id = ${u.id} and last_step >= ${stepNow()}`), 0, 'and it was not used up');
    // The password step is throttled too: the same counter.
    const c2 = new Client(srv.base);
    const pw = await c2.submit('/zh/account/login', { email: u.email, password: PW });
    assert.equal(pw.status, 429);
    await mail.next({ to: u.email, subject: ui.zh.mail_throttled_subject });
    assert.equal(events(u.id).filter((k) => k === 'login_failed').length, 5);
  });

  it('binds the half-way login to its browser and lets it expire after 5 minutes', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'halfway' });
    const { app } = await enrol(u);
    const c = await halfLogin(u);
    const cookie = c.jar.header().split('; ').find((k) => k.includes('okpay_login='));
    assert.ok(cookie, 'a half-way cookie');
    const token = cookie.split('=')[1];
    assert.equal(count('login_pending', `user_id = ${u.id}`), 1);
    assert.equal(Number(sql(srv.db, `select expires_at - created_at from login_pending where user_id = ${u.id}`)), 300);
    assert.equal(count('login_pending', `hex(hash) like '%${Buffer.from(token).toString('hex').toUpperCase()}%'`), 0, 'the token is stored as a hash');
    // Another browser has no half-way login: back to the password.
    const stranger = new Client(srv.base);
    const r = await stranger.get('/zh/account/login/code');
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/login?expired=1');
    // Expired: back to the password, the code unused.
    sql(srv.db, `update login_pending set expires_at = ${Math.floor(Date.now() / 1000) - 1} where user_id = ${u.id}`);
    const pg = await c.get('/zh/account/login/code');
    assert.equal(pg.status, 303);
    assert.equal(pg.location, '/zh/account/login?expired=1');
    const late = await c.post('/zh/account/login/code', { code: app.code(0) });
    assert.equal(late.status, 403, 'without a csrf token nothing happens');
    const login = await c.page('/zh/account/login?expired=1');
    shows(login.text, ui.zh.login_code_expired);
    const late2 = await c.post('/zh/account/login/code', { csrf: login.csrf, code: app.code(0) });
    assert.equal(late2.status, 303);
    assert.equal(late2.location, '/zh/account/login?expired=1');
    assert.equal((await c.get('/zh/account/')).status, 303, 'no session');
    assert.equal(count('twostep', `user_id = ${u.id} and last_step >= ${stepNow()}`), 0, 'the code was not used');
  });

  it('asks for a fresh code to confirm a transfer over ¥2,000, not for a small one', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'bigsend' });
    const to = await w.newUser(srv, mail, ui, { who: 'payee' });
    await w.topUp(u.c, '5000.00');
    const { app } = await enrol(u);
    // Small: no code field, no code asked.
    const small = await w.sendForm(u.c, { recipient: to.email, amount: '100.00' });
    assert.equal(small.status, 303);
    const smallReview = await u.c.page(`/zh/account/send/review?key=${small.key}`);
    assert.doesNotMatch(smallReview.text, /name="code"/);
    const smallDone = await w.confirm(u.c, small.key);
    assert.equal(smallDone.status, 303, errorsOf(smallDone.text));

    const big = await w.sendForm(u.c, { recipient: to.email, amount: '2,000.01' });
    assert.equal(big.status, 303);
    const review = await u.c.page(`/zh/account/send/review?key=${big.key}`);
    assert.match(review.text, /<input id="code" name="code"/);
    const before = w.balance(srv.db, u.email);
    const without = await u.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: big.key });
    assert.equal(without.status, 400);
    shows(without.text, ui.zh.err_code_needed_send);
    const wrong = await u.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: big.key, code: app.code(0) === '123456' ? '654321' : '123456' });
    assert.equal(wrong.status, 400);
    shows(wrong.text, ui.zh.err_code_wrong);
    assert.equal(w.balance(srv.db, u.email), before, 'nothing moved');
    const ok = await u.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: big.key, code: app.code(0) });
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.ok(w.receiptNumber(ok.location));
    assert.equal(w.balance(srv.db, u.email), before - 200001);
    assert.equal(events(u.id).filter((k) => k === 'twostep_stepup').length, 1, 'the step-up is in the activity');
    // A second click on Confirm: the receipt, no code needed, nothing moves twice.
    const again = await u.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: big.key });
    assert.equal(again.status, 303);
    assert.equal(again.location, ok.location);
  });

  it('asks for a fresh code to add money with a card new to the account, not with a known one', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'newcard' });
    await w.topUp(u.c, '10.00'); // the test card, before two-step verification
    const { app } = await enrol(u);
    await w.topUp(u.c, '10.00'); // the same card: no code
    const form = await u.c.page('/zh/account/add-money');
    assert.match(form.text, /<input id="code" name="code"/, 'the field is offered');
    const r = await w.addMoney(u.c, { amount: '20.00', card_number: NEW_CARD });
    assert.equal(r.status, 400);
    shows(r.text, ui.zh.err_code_needed_card);
    assert.doesNotMatch(r.text, /5555/, 'the card number is never echoed');
    const ok = await w.addMoney(u.c, { amount: '20.00', card_number: NEW_CARD, code: app.code(0) });
    assert.equal(ok.status, 303, errorsOf(ok.text));
    // Used once, the card is known: no code next time.
    const known = await w.addMoney(u.c, { amount: '1.00', card_number: NEW_CARD });
    assert.equal(known.status, 303, errorsOf(known.text));
  });

  it('asks for a fresh code to change the email or the password', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'changes' });
    const { app } = await enrol(u);
    const newEmail = `moved.${process.pid}.${Date.now()}@example.com`;
    const form = await u.c.page('/zh/account/email');
    assert.match(form.text, /<input id="code" name="code"/);
    const noCode = await u.c.post('/zh/account/email', { csrf: form.csrf, email: newEmail, password: PW });
    assert.equal(noCode.status, 400);
    shows(noCode.text, ui.zh.err_code_needed_email);
    assert.match(noCode.text, new RegExp(`value="${esc(newEmail)}"`), 'the new address is kept');
    assert.equal(count('tokens', `user_id = ${u.id} and purpose = 'email'`), 0, 'no change asked');
    const ok = await u.c.post('/zh/account/email', { csrf: form.csrf, email: newEmail, password: PW, code: app.code(0) });
    assert.equal(ok.status, 303, errorsOf(ok.text));

    const pwForm = await u.c.page('/zh/account/password/change');
    assert.match(pwForm.text, /<input id="code" name="code"/);
    const NEW_PW = 'copper harbour 9 meadow';
    const pwNoCode = await u.c.post('/zh/account/password/change', { csrf: pwForm.csrf, current_password: PW, password: NEW_PW, password2: NEW_PW });
    assert.equal(pwNoCode.status, 400);
    shows(pwNoCode.text, ui.zh.err_code_needed_password);
    const hash = sql(srv.db, `select password_hash from users where id = ${u.id}`);
    const pwOk = await u.c.post('/zh/account/password/change', { csrf: pwForm.csrf, current_password: PW, password: NEW_PW, password2: NEW_PW, code: app.code(1) });
    assert.equal(pwOk.status, 303, errorsOf(pwOk.text));
    assert.notEqual(sql(srv.db, `select password_hash from users where id = ${u.id}`), hash);
  });

  it('turns off with the password and a fresh code; mails the owner; logins need no code', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'off', lang: 'en' });
    const { app } = await enrol(u, 'en');
    const sec = await u.c.page('/en/account/security');
    assert.match(sec.text, /action="\/en\/account\/twostep\/off"/);
    const noCode = await u.c.post('/en/account/twostep/off', { csrf: sec.csrf, password: PW });
    assert.equal(noCode.status, 400);
    shows(noCode.text, ui.en.err_code_needed_off);
    const wrongPw = await u.c.post('/en/account/twostep/off', { csrf: sec.csrf, password: 'wrong', code: app.code(0) });
    assert.equal(wrongPw.status, 400);
    assert.equal(count('twostep', `user_id = ${u.id}`), 1, 'still on');
    assert.equal(count('twostep', `user_id = ${u.id} and last_step >= ${stepNow()}`), 0, 'a wrong password uses no code');
    const ok = await u.c.post('/en/account/twostep/off', { csrf: sec.csrf, password: PW, code: app.code(0) });
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.equal(ok.location, '/en/account/security?twostep=off');
    assert.equal(count('twostep', `user_id = ${u.id}`), 0);
    assert.equal(count('recovery_codes', `user_id = ${u.id}`), 0);
    await mail.next({ to: u.email, subject: ui.en.mail_twostep_off_subject });
    assert.ok(events(u.id).includes('twostep_off'));
    const c = new w.AddrClient(srv.base, { localAddress: u.address });
    const r = await c.submit('/en/account/login', { email: u.email, password: PW });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/en/account/');
  });

  it('okpay-admin twostep-off turns it off for an owner who lost everything, and mails them', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'lost' });
    await enrol(u);
    const content = ['--content', path.join(h.ROOT, 'content'), '--theme', path.join(h.ROOT, 'theme')];
    const r = w.admin(srv.db, ...content, 'twostep-off', u.email);
    assert.equal(r.status, 0, r.stderr);
    // The operator log names the operator (w.admin acts as $USER, or integration-tests).
    const logged = JSON.parse(w.admin(srv.db, 'log', '--json').stdout).filter((e) => e.target === `user:${u.id}`);
    assert.deepEqual(logged.map((e) => [e.operator, e.command]), [[process.env.USER || 'integration-tests', 'twostep-off']]);
    assert.equal(count('twostep', `user_id = ${u.id}`), 0);
    assert.equal(count('recovery_codes', `user_id = ${u.id}`), 0);
    assert.ok(events(u.id).includes('twostep_off'));
    await mail.next({ to: u.email, subject: ui.zh.mail_twostep_off_subject }, 10000);
    const again = w.admin(srv.db, ...content, 'twostep-off', u.email);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /off already/);
    const nobody = w.admin(srv.db, ...content, 'twostep-off', 'nobody@example.com');
    assert.equal(nobody.status, 1);
  });

  it('creates the key file with mode 0600 at first start', () => {
    const key = path.join(path.dirname(srv.db), 'twostep.key');
    const st = fs.statSync(key);
    assert.equal(st.mode & 0o777, 0o600);
    assert.equal(st.size, 32);
  });
});

// The security page (sessions), account activity, "this wasn't me" and the email change, over
// the real okpay-portal behind nginx (tests/lib/harness.js startPortal).
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { Client, Mailbox, linksIn } = require('../lib/http');
const { loadUi, esc, sql } = require('../lib/page');

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const CHROME_WIN = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const PW = 'lantern orchard 7 velvet';

// --- helpers -------------------------------------------------------------------------------

// The rows of the tables in html, each an array of its cells' text (tags removed), and the
// raw HTML of each row in .html.
function rows(html) {
  return [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => {
    const cells = [...r[1].matchAll(/<t[dh][^>]*>([\s\S]*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<[^>]*>/g, '').trim());
    cells.html = r[1];
    return cells;
  });
}

const TABLES = ['users', 'sessions', 'tokens', 'outbox', 'events'];
// Row counts of every table plus the live sessions: "changes nothing" compares two of these.
function counts(db) {
  const q = [...TABLES.map((t) => `(select count(*) from ${t})`), '(select count(*) from sessions where ended_at = 0)'];
  const out = sql(db, `select ${q.join(', ')}`).split('|').map(Number);
  return { ...Object.fromEntries(TABLES.map((t, i) => [t, out[i]])), live: out[TABLES.length] };
}

function userRow(db, id) {
  const [email, verified] = sql(db, `select email, verified_at from users where id = ${id}`).split('|');
  return { email, verifiedAt: Number(verified) };
}

let seq = 0;
const uniqueEmail = (who) => `${who}.${process.pid}.${++seq}@example.com`;
const tokenOf = (link) => new URL(link).searchParams.get('token');
const pathOf = (link) => { const u = new URL(link); return u.pathname + u.search; };
const hidden = (html, name) => [...html.matchAll(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`, 'g'))].map((m) => m[1]);

// --- the suite -----------------------------------------------------------------------------

describe('security page, activity and email change', () => {
  const ui = loadUi();
  let srv, mail;

  // Register an account (not verified; that does not matter here); returns { email, id }.
  async function account(who) {
    const email = uniqueEmail(who);
    const c = new Client(srv.base, { userAgent: CHROME_WIN });
    const r = await c.submit('/zh/account/register', { name: '测试用户', email, password: PW, password2: PW, terms: 'yes' });
    assert.equal(r.status, 303, `registering ${email}`);
    const id = Number(sql(srv.db, `select id from users where email = '${email}'`));
    return { email, id };
  }

  // A signed-in client for email with this User-Agent.
  async function login(email, userAgent = CHROME_WIN) {
    const c = new Client(srv.base, { userAgent });
    const r = await c.submit('/zh/account/login', { email, password: PW });
    assert.equal(r.status, 303, `login of ${email}: ${r.status}`);
    assert.equal(r.location, '/zh/account/');
    return c;
  }

  // Let the mail thread deliver what earlier steps queued (new-device notices), then mark it
  // all seen.
  async function settle() {
    let n = -1;
    while (n !== mail.files().length) {
      n = mail.files().length;
      await new Promise((r) => setTimeout(r, 300));
    }
    mail.skip();
  }

  async function signedIn(c) {
    const r = await c.get('/zh/account/');
    return r.status === 200;
  }

  before(async () => {
    srv = await h.startPortal();
    mail = new Mailbox(srv.mailDir);
  });

  after(async () => {
    await srv.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(srv.stderr(), SANITIZER, srv.stderr());
  });

  // --- sessions ----------------------------------------------------------------------------

  it('lists the live sessions with "This device" on the right one, and is for members only', async () => {
    const anon = await new Client(srv.base).get('/zh/account/security');
    assert.equal(anon.status, 303);
    assert.equal(anon.location, '/zh/account/login?next=/zh/account/security');

    const a = await account('sessions');
    const win = await login(a.email, CHROME_WIN);
    const phone = await login(a.email, SAFARI_IPHONE);

    for (const [c, mine, other] of [[win, 'Chrome on Windows', 'Safari on iPhone'], [phone, 'Safari on iPhone', 'Chrome on Windows']]) {
      const pg = await c.page('/zh/account/security');
      assert.equal(pg.status, 200);
      assert.ok(pg.text.includes(`>${esc(ui.zh.sessions_title)}</h2>`), 'section Active sessions');
      const body = rows(pg.text).slice(1);
      assert.equal(body.length, 2, JSON.stringify(body));
      const me = body.find((r) => r[0] === mine);
      const them = body.find((r) => r[0] === other);
      assert.ok(me && them, JSON.stringify(body));
      assert.equal(me[4], ui.zh.sessions_this_device);
      assert.ok(!me.html.includes('<form'), 'no End session button on this device');
      assert.ok(them.html.includes(ui.zh.sessions_end_button), 'End session on the other row');
      assert.ok(them.html.includes('action="/zh/account/security/end"'));
      assert.equal(me[1], '127.0.0.1');
      for (const r of body) {
        assert.match(r[2], /^\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)$/);
        assert.match(r[3], /^\d{4}-\d\d-\d\d \d\d:\d\d \(UTC\+8\)$/);
      }
      assert.ok(pg.text.includes(esc(ui.zh.sessions_end_others_button)));
      assert.ok(pg.text.includes('href="/zh/account/password/change"'), 'link to change password');
      assert.ok(pg.text.includes(esc(ui.zh.security_twostep_title)), 'two-step section');
      assert.ok(pg.text.includes('href="/zh/account/activity"') && pg.text.includes('href="/zh/account/email"'));
    }
    const en = await win.get('/en/account/security');
    assert.ok(en.text.includes(esc(ui.en.sessions_this_device)) && en.text.includes(esc(ui.en.sessions_end_others_button)));
    const changed = await win.get('/zh/account/security?changed=1');
    assert.ok(changed.text.includes(esc(ui.zh.security_password_changed)));

    // The overview links here and to the activity page.
    const ov = await win.get('/zh/account/');
    assert.ok(ov.text.includes('href="/zh/account/security"') && ov.text.includes('href="/zh/account/activity"'));
  });

  it('ends another session of the account, not one of another account, and the current one logs out', async () => {
    const a = await account('end');
    const b = await account('bystander');
    const win = await login(a.email, CHROME_WIN);
    const phone = await login(a.email, SAFARI_IPHONE);
    const bob = await login(b.email, FIREFOX_LINUX);
    const phoneId = sql(srv.db, `select max(id) from sessions where user_id = ${a.id} and user_agent = '${SAFARI_IPHONE}'`);
    const winId = sql(srv.db, `select max(id) from sessions where user_id = ${a.id} and user_agent = '${CHROME_WIN}'`);
    const bobId = sql(srv.db, `select max(id) from sessions where user_id = ${b.id}`);

    let pg = await win.page('/zh/account/security');
    assert.deepEqual(hidden(pg.text, 'id'), [phoneId], 'the button carries the other session id');

    // Bad ids: 400, nothing changes.
    const before = counts(srv.db);
    for (const id of ['abc', '', '-1', '1 OR 1=1', '0', '01', '99999999999999999999']) {
      const r = await win.post('/zh/account/security/end', { csrf: pg.csrf, id });
      assert.equal(r.status, 400, `id ${JSON.stringify(id)}`);
    }
    // Without a csrf token: 403.
    assert.equal((await win.post('/zh/account/security/end', { id: phoneId })).status, 403);
    // A session of another account: nothing ends, no notice.
    const other = await win.post('/zh/account/security/end', { csrf: pg.csrf, id: bobId });
    assert.equal(other.status, 303);
    assert.equal(other.location, '/zh/account/security');
    assert.deepEqual(counts(srv.db), before);
    assert.ok(await signedIn(bob), 'the other account stays signed in');

    // The other session of the account.
    const r = await win.post('/zh/account/security/end', { csrf: pg.csrf, id: phoneId });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/security?ended=1');
    pg = await win.page(r.location);
    assert.ok(pg.text.includes(esc(ui.zh.security_ended_text)));
    assert.equal(rows(pg.text).length - 1, 1, 'one session left');
    const out = await phone.get('/zh/account/');
    assert.equal(out.status, 303, 'the ended session is logged out');
    assert.match(out.location, /^\/zh\/account\/login/);
    assert.ok(Number(sql(srv.db, `select ended_at from sessions where id = ${phoneId}`)) > 0);
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'session_ended'`), '1');
    assert.ok(await signedIn(win));

    // Ending the current session logs out.
    const self = await win.post('/zh/account/security/end', { csrf: pg.csrf, id: winId });
    assert.equal(self.status, 303);
    assert.match(self.location, /^\/zh\/account\/login/);
    assert.ok(self.setCookies.some((k) => k.name === 'okpay_session' && k.maxAge === 0), 'cookie cleared');
    assert.equal(await signedIn(win), false);
    assert.ok(await signedIn(bob));
  });

  it('ends all other sessions and says how many', async () => {
    const a = await account('others');
    const me = await login(a.email, CHROME_WIN);
    const x = await login(a.email, SAFARI_IPHONE);
    const y = await login(a.email, FIREFOX_LINUX);
    const pg = await me.page('/zh/account/security');
    assert.equal(rows(pg.text).length - 1, 3);
    const r = await me.post('/zh/account/security/end-others', { csrf: pg.csrf });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/security?others=2');
    const after = await me.get(r.location);
    assert.ok(after.text.includes(`${esc(ui.zh.security_ended_others_before)}2${esc(ui.zh.security_ended_others_after)}`));
    assert.equal(rows(after.text).length - 1, 1);
    assert.ok(after.text.includes(esc(ui.zh.sessions_only_this)));
    assert.ok(!after.text.includes(esc(ui.zh.sessions_end_others_button)), 'no button with nothing to end');
    assert.equal(await signedIn(x), false);
    assert.equal(await signedIn(y), false);
    assert.ok(await signedIn(me));
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'session_ended'`), '1');
  });

  // --- activity ----------------------------------------------------------------------------

  it('lists every event newest first, 20 a page, and refuses bad page numbers', async () => {
    const a = await account('activity');
    // Failed logins, each fourth followed by a good one so the waits never begin.
    const stranger = new Client(srv.base, { userAgent: FIREFOX_LINUX });
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 4; i++) {
        const r = await stranger.submit('/zh/account/login', { email: a.email, password: `wrong ${round} ${i}` });
        assert.equal(r.status, 401);
      }
      await login(a.email, CHROME_WIN);
    }
    const c = await login(a.email, CHROME_WIN);
    const total = Number(sql(srv.db, `select count(*) from events where user_id = ${a.id}`));
    assert.ok(total > 20 && total <= 40, `events: ${total}`);
    const kinds = sql(srv.db, `select kind from events where user_id = ${a.id} order by at desc, id desc`).split('\n');

    const p1 = await c.page('/zh/account/activity');
    assert.equal(p1.status, 200);
    const r1 = rows(p1.text);
    assert.deepEqual([...r1[0]], [ui.zh.activity_what, ui.zh.activity_when, ui.zh.activity_ip, ui.zh.activity_device]);
    assert.equal(r1.length - 1, 20);
    assert.deepEqual(r1.slice(1).map((r) => r[0]), kinds.slice(0, 20).map((k) => ui.zh[`event_${k}`]), 'newest first, localized');
    assert.equal(r1[1][0], ui.zh.event_login, 'the newest is the last login');
    assert.ok(r1.slice(1).some((r) => r[0] === ui.zh.event_login_failed && r[3] === 'Firefox on Linux'), 'failed logins with their device');
    assert.equal(r1[1][2], '127.0.0.1');
    assert.match(r1[1][1], /\(UTC\+8\)$/);
    const nav = p1.text.match(/<nav class="pager" aria-label="([^"]+)">([\s\S]*?)<\/nav>/);
    assert.ok(nav, 'a pager nav');
    assert.equal(nav[1], esc(ui.zh.activity_pages_label));
    assert.ok(nav[2].includes('href="/zh/account/activity?page=2"') && !nav[2].includes('rel="prev"'));
    assert.ok(p1.text.includes(esc(ui.zh.not_me_button)) && p1.text.includes('action="/zh/account/activity/not-me"'));

    const p2 = await c.get('/zh/account/activity?page=2');
    assert.equal(p2.status, 200);
    const r2 = rows(p2.text).slice(1);
    assert.deepEqual(r2.map((r) => r[0]), kinds.slice(20, 40).map((k) => ui.zh[`event_${k}`]));
    assert.ok(p2.text.includes('href="/zh/account/activity" rel="prev"'));
    assert.equal(total <= 40, !p2.text.includes('rel="next"'));

    const en = await c.get('/en/account/activity');
    assert.ok(en.text.includes(`<td>${esc(ui.en.event_login)}</td>`) && en.text.includes(esc(ui.en.not_me_button)));

    for (const q of ['abc', '0', '-1', '10001', '1.5', '2abc', '']) {
      const r = await c.get(`/zh/account/activity?page=${encodeURIComponent(q)}`);
      assert.equal(r.status, q === '' ? 200 : 400, `page=${q}`);
    }
    assert.equal((await c.get('/zh/account/activity?page=10000')).status, 200);
    assert.equal((await new Client(srv.base).get('/zh/account/activity')).status, 303);
  });

  it('"this wasn\'t me" ends every session, this one too, and sends a reset mail', async () => {
    const a = await account('notme');
    const me = await login(a.email, CHROME_WIN);
    const other = await login(a.email, SAFARI_IPHONE);
    await settle();
    const pg = await me.page('/zh/account/activity');
    // Cross-site or without a token: nothing happens.
    assert.equal((await me.post('/zh/account/activity/not-me', { csrf: pg.csrf }, { origin: 'https://evil.example' })).status, 403);
    assert.equal((await me.post('/zh/account/activity/not-me', {})).status, 403);
    assert.ok(await signedIn(other));

    const r = await me.post('/zh/account/activity/not-me', { csrf: pg.csrf });
    assert.equal(r.status, 303);
    assert.equal(r.location, `/zh/account/password/sent?email=${encodeURIComponent(a.email)}`);
    assert.ok(r.setCookies.some((k) => k.name === 'okpay_session' && k.maxAge === 0), 'cookie cleared');
    assert.equal(await signedIn(me), false);
    assert.equal(await signedIn(other), false);
    assert.equal(sql(srv.db, `select count(*) from sessions where user_id = ${a.id} and ended_at = 0`), '0');
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'session_ended'`), '1');
    assert.equal(sql(srv.db, `select count(*) from tokens where user_id = ${a.id} and purpose = 'reset' and used_at = 0`), '1');
    const m = await mail.next({ to: a.email, subject: ui.zh.mail_reset_subject });
    const links = linksIn(m.text).filter((l) => l.includes('/zh/account/password/reset?token='));
    assert.equal(links.length, 1);
    // The same pages as a forgotten password: the code page, then the link's form.
    assert.equal((await me.get(r.location)).status, 200);
    assert.equal((await new Client(srv.base).get(pathOf(links[0]))).status, 200);
  });

  // --- email change ------------------------------------------------------------------------

  it('changes the email only after the link to the new address, notices the old one, and undoes', async () => {
    const a = await account('change');
    const newEmail = uniqueEmail('moved');
    const c = await login(a.email, CHROME_WIN);
    const other = await login(a.email, SAFARI_IPHONE);
    await settle();

    const anon = await new Client(srv.base).get('/zh/account/email');
    assert.equal(anon.status, 303);

    const form = await c.page('/zh/account/email');
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`<dd>${a.email}</dd>`), 'shows the current address');

    // Bad input changes nothing and sends nothing.
    const before = counts(srv.db);
    const bad = [
      [{ email: 'not an address', password: PW }, 'email', ui.zh.err_email_invalid],
      [{ email: '', password: PW }, 'email', ui.zh.err_email_empty],
      [{ email: a.email.toUpperCase(), password: PW }, 'email', ui.zh.err_email_same],
      [{ email: newEmail, password: '' }, 'password', ui.zh.err_email_password_empty],
    ];
    for (const [fields, field, msg] of bad) {
      const r = await c.post('/zh/account/email', { csrf: form.csrf, ...fields });
      assert.equal(r.status, 400, JSON.stringify(fields));
      assert.ok(r.text.includes(`<p class="field-error" id="${field}-error">${esc(msg)}</p>`), `${field}: ${msg}`);
      assert.ok(r.text.includes(`aria-describedby="${field}-error"`));
      assert.ok(r.text.includes('class="error-summary"'));
      assert.ok(!r.text.includes(PW), 'the password is never echoed');
    }
    assert.deepEqual(counts(srv.db), before);
    // A wrong password: a generic error and a login_failed event, nothing else.
    const wrong = await c.post('/zh/account/email', { csrf: form.csrf, email: newEmail, password: 'not my password' });
    assert.equal(wrong.status, 400);
    assert.ok(wrong.text.includes(esc(ui.zh.err_email_password_wrong)));
    assert.ok(wrong.text.includes(`value="${newEmail}"`), 'keeps the typed address');
    assert.deepEqual(counts(srv.db), { ...before, events: before.events + 1 });
    assert.equal(sql(srv.db, `select kind from events where user_id = ${a.id} order by id desc limit 1`), 'login_failed');
    assert.equal((await c.post('/zh/account/email', { email: newEmail, password: PW })).status, 403, 'csrf');
    assert.deepEqual(await mail.unseenAfter(300), []);

    // The request: a mail to the new address, a notice to the old one, no change yet.
    const r = await c.post('/zh/account/email', { csrf: form.csrf, email: newEmail, password: PW });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/email?sent=1');
    assert.ok((await c.get(r.location)).text.includes(esc(ui.zh.email_change_sent_text)));
    assert.equal(userRow(srv.db, a.id).email, a.email, 'not changed before the link is followed');
    const notice = await mail.next({ to: a.email, subject: ui.zh.mail_email_requested_subject });
    assert.ok(notice.text.includes(newEmail), 'the notice names the new address');
    assert.ok(notice.text.includes(ui.zh.mail_email_requested_nothing));
    assert.equal(linksIn(notice.text).filter((l) => l.includes('token=')).length, 0, 'no link that changes anything');
    const confirmMail = await mail.next({ to: newEmail, subject: ui.zh.mail_email_confirm_subject });
    const links = linksIn(confirmMail.text).filter((l) => l.includes('/zh/account/email/confirm?token='));
    assert.equal(links.length, 1);
    const link = links[0];

    // Opening the link shows a Confirm button and changes nothing.
    const anonymous = new Client(srv.base);
    for (let i = 0; i < 2; i++) {
      const v = await anonymous.page(pathOf(link));
      assert.equal(v.status, 200);
      assert.equal(v.headers.get('referrer-policy'), 'no-referrer');
      assert.ok(v.text.includes(`<dd>${newEmail}</dd>`));
      assert.deepEqual(hidden(v.text, 'token'), [tokenOf(link)]);
      assert.ok(v.text.includes(esc(ui.zh.email_confirm_button)));
      assert.equal(userRow(srv.db, a.id).email, a.email, `GET #${i + 1} changes nothing`);
    }
    // Forged tokens get a page and change nothing.
    const forged = await anonymous.get('/zh/account/email/confirm?token=abc');
    assert.equal(forged.status, 400);
    assert.ok(forged.text.includes(esc(ui.zh.email_link_invalid_text)));
    const v = await anonymous.page(pathOf(link));
    assert.equal((await anonymous.post('/zh/account/email/confirm', { csrf: v.csrf, token: 'x'.repeat(43) })).status, 400);
    assert.equal(userRow(srv.db, a.id).email, a.email);

    // Confirm (from another browser, as a mail client would open it).
    const done = await anonymous.post('/zh/account/email/confirm', { csrf: v.csrf, token: tokenOf(link) });
    assert.equal(done.status, 303);
    assert.equal(done.location, '/zh/account/email/confirm?done=1');
    assert.equal((await anonymous.get(done.location)).status, 200);
    const changed = userRow(srv.db, a.id);
    assert.equal(changed.email, newEmail);
    assert.ok(changed.verifiedAt > 0, 'the new address counts as verified');
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'email_changed'`), '1');
    const used = await anonymous.post('/zh/account/email/confirm', { csrf: v.csrf, token: tokenOf(link) });
    assert.equal(used.status, 410, 'a link works once');
    assert.ok(used.text.includes(esc(ui.zh.email_link_used_text)));
    const ov = await c.get('/zh/account/');
    assert.ok(ov.text.includes(newEmail), 'the account shows the new address');

    // The old address gets the undo link.
    const changedMail = await mail.next({ to: a.email, subject: ui.zh.mail_email_changed_subject });
    assert.ok(changedMail.text.includes(newEmail));
    const undo = linksIn(changedMail.text).filter((l) => l.includes('/zh/account/email/undo?token='));
    assert.equal(undo.length, 1);
    const u = await anonymous.page(pathOf(undo[0]));
    assert.equal(u.status, 200);
    assert.equal(u.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(u.text.includes(`<dd>${a.email}</dd>`));
    assert.equal(userRow(srv.db, a.id).email, newEmail, 'GET changes nothing');
    const undone = await anonymous.post('/zh/account/email/undo', { csrf: u.csrf, token: tokenOf(undo[0]) });
    assert.equal(undone.status, 303);
    assert.equal(undone.location, '/zh/account/email/undo?done=1');
    assert.equal(userRow(srv.db, a.id).email, a.email, 'the old address is back');
    assert.equal(sql(srv.db, `select count(*) from sessions where user_id = ${a.id} and ended_at = 0`), '0', 'every session ended');
    assert.equal(await signedIn(c), false);
    assert.equal(await signedIn(other), false);
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'email_changed'`), '2');
    const page = await anonymous.get(undone.location);
    assert.ok(page.text.includes(esc(ui.zh.email_undo_new_password)) && page.text.includes('href="/zh/account/password/forgot"'));
    assert.equal((await anonymous.post('/zh/account/email/undo', { csrf: u.csrf, token: tokenOf(undo[0]) })).status, 410);
  });

  it('answers an address that has an account like any other, sends nothing, and never takes it', async () => {
    const a = await account('taker');
    const b = await account('owner');
    const c = await login(a.email);
    await settle();
    const form = await c.page('/zh/account/email');
    const before = counts(srv.db);
    const r = await c.post('/zh/account/email', { csrf: form.csrf, email: b.email.toUpperCase().replace('@EXAMPLE.COM', '@example.com'), password: PW });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/account/email?sent=1');
    assert.deepEqual(counts(srv.db), before, 'no token, no mail');
    assert.deepEqual(await mail.unseenAfter(300), []);

    // An address taken between the request and the confirmation: a clear page, no change.
    const free = uniqueEmail('free');
    assert.equal((await c.post('/zh/account/email', { csrf: form.csrf, email: free, password: PW })).status, 303);
    const m = await mail.next({ to: free, subject: ui.zh.mail_email_confirm_subject });
    const link = linksIn(m.text).find((l) => l.includes('/account/email/confirm?token='));
    const late = new Client(srv.base);
    assert.equal((await late.submit('/zh/account/register', { name: '抢先', email: free, password: PW, password2: PW, terms: 'yes' })).status, 303);
    const v = await c.page(pathOf(link));
    const t = await c.post('/zh/account/email/confirm', { csrf: v.csrf, token: tokenOf(link) });
    assert.equal(t.status, 409);
    assert.ok(t.text.includes(esc(ui.zh.email_taken_text)));
    assert.equal(userRow(srv.db, a.id).email, a.email);
    assert.equal(sql(srv.db, `select count(*) from events where user_id = ${a.id} and kind = 'email_changed'`), '0');
  });
});

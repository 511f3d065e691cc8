// Password hashing off the request threads (cgi/main.c, hash threads): account pages answer
// while logins hash, a full hash queue answers 503 with Retry-After at once, and SIGTERM
// answers every login it had accepted.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { Client, Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

// n clients with the login form's csrf token in hand, so that their POSTs leave together.
async function loginForms(base, n) {
  return Promise.all(Array.from({ length: n }, async () => {
    const c = new Client(base);
    const pg = await c.page('/zh/account/login');
    assert.equal(pg.status, 200);
    return { c, csrf: pg.csrf };
  }));
}

// POST every login at once; each promise gives { status, headers, text, ms }.
function loginAll(forms, email) {
  return forms.map(async ({ c, csrf }) => {
    const t0 = process.hrtime.bigint();
    const r = await c.post('/zh/account/login', { csrf, email, password: w.PW });
    return { ...r, ms: ms(t0) };
  });
}

describe('password hashing', () => {
  const ui = w.loadUi();
  let site;
  before(() => { site = h.buildSite(); });

  // For the describe block it is called in: a portal started with opts and one signed-in user
  // (t.srv, t.user), stopped after the block with no sanitizer report.
  function portalWithUser(opts, who) {
    const t = {};
    before(async () => {
      t.srv = await h.startPortal({ siteDir: site, ...opts });
      t.user = await w.newUser(t.srv, new Mailbox(t.srv.mailDir), ui, { who });
    });
    after(async () => {
      await t.srv.stop();
      assert.doesNotMatch(t.srv.stderr(), SANITIZER, `sanitizer report:\n${t.srv.stderr()}`);
    });
    return t;
  }

  describe('with the default hash threads', () => {
    const t = portalWithUser({ workers: 4 }, 'pages');

    it('answers an account page fast while 8 logins hash', async () => {
      assert.equal((await t.user.c.get('/zh/account/')).status, 200);
      const forms = await loginForms(t.srv.base, 8);
      let done = 0;
      const logins = loginAll(forms, t.user.email).map((p) => p.finally(() => { done++; }));
      await new Promise((r) => setTimeout(r, 100)); // every login reaches the portal first
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        const r = await t.user.c.get('/zh/account/');
        times.push(ms(t0));
        assert.equal(r.status, 200);
        // Before hash threads, the first page waited in the socket until 4 logins had ended.
        assert.equal(done, 0, `page ${i + 1} answered while all 8 logins were in progress`);
      }
      const results = await Promise.all(logins);
      for (const r of results) assert.equal(r.status, 303, 'every login goes through');
      // The median: on a machine loaded by other work a single page can take longer.
      times.sort((a, b) => a - b);
      assert.ok(times[1] < 200, `account pages took ${times.map((t) => t.toFixed(0)).join(', ')} ms behind 8 logins (${results.map((r) => r.ms.toFixed(0)).join(', ')} ms)`);
    });
  });

  describe('with one hash thread and a queue of one', () => {
    const t = portalWithUser({ args: ['--hash-threads', '1', '--hash-queue', '1'] }, 'busy');

    it('answers 503 with Retry-After and the busy page at once when the queue is full', async () => {
      const results = await Promise.all(loginAll(await loginForms(t.srv.base, 8), t.user.email));
      const ok = results.filter((r) => r.status === 303), busy = results.filter((r) => r.status === 503);
      assert.equal(ok.length + busy.length, 8, `303 or 503 only: ${results.map((r) => r.status)}`);
      assert.ok(ok.length >= 1, 'the login the hash thread took goes through');
      assert.ok(busy.length >= 1, `more than one hash thread and one queued: ${results.map((r) => r.status)}`);
      for (const r of busy) {
        assert.equal(r.headers.get('retry-after'), '5');
        assert.ok(r.text.includes(ui.zh.error_503_title), 'the themed page');
        assert.ok(r.text.includes(ui.zh.error_busy_text), 'says to try again in a moment');
        assert.match(r.text, /<html lang="zh/, 'in the language of the page');
        assert.ok(r.ms < Math.max(...ok.map((o) => o.ms)), `the 503 (${r.ms.toFixed(0)} ms) came before the last login`);
      }
      const again = await loginAll(await loginForms(t.srv.base, 1), t.user.email)[0];
      assert.equal(again.status, 303, 'a login after the rush goes through');
    });
  });

  describe('stopping with logins queued', () => {
    const t = portalWithUser({ args: ['--hash-threads', '1', '--hash-queue', '16'] }, 'stop');

    it('finishes the login in progress and answers the queued ones 503 on SIGTERM', async () => {
      const forms = await loginForms(t.srv.base, 6);
      const logins = loginAll(forms, t.user.email);
      await new Promise((r) => setTimeout(r, 50));
      const t0 = process.hrtime.bigint();
      await t.srv.kill('SIGTERM');
      const stopMs = ms(t0);
      const results = await Promise.all(logins);
      const statuses = results.map((r) => r.status);
      for (const r of results)
        assert.ok(r.status === 303 || r.status === 503, `answered, not dropped: ${statuses}`);
      assert.ok(statuses.includes(303), `the login in progress finishes: ${statuses}`);
      assert.ok(statuses.includes(503), `the queued ones are answered: ${statuses}`);
      for (const r of results.filter((x) => x.status === 503)) assert.equal(r.headers.get('retry-after'), '5');
      assert.ok(stopMs < 4000, `stopped in ${stopMs.toFixed(0)} ms`);
    });
  });
});

// Crash safety of the wallet (issue 5): users send money to each other (review, then Confirm)
// while the portal is killed with SIGKILL several times and restarted on the same database and
// socket behind the same nginx. Afterwards the ledger audit holds, every Confirm that was
// answered with a receipt names a transfer that exists, a Confirm whose answer was lost gives
// one transfer when retried, no money appeared or vanished, and every transfer has its mails.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const h = require('../lib/harness');
const { Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const USERS = 6;
const ROUNDS = 5;
const TOP_UP = 100000; // ¥1,000.00 each
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('wallet under SIGKILL', () => {
  const ui = w.loadUi();
  let srv, mail;

  before(async () => {
    srv = await h.startPortal({ workers: 4 });
    mail = new Mailbox(srv.mailDir);
  });

  after(async () => {
    if (!srv) return;
    await srv.stop();
    await sleep(300);
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
  });

  it('keeps the ledger whole and every answered transfer when killed mid-stream', async (t) => {
    const users = await Promise.all(Array.from({ length: USERS }, (_, i) => w.newUser(srv, mail, ui, { who: `crash${i}`, name: `User ${i}` })));
    const topUps = [];
    for (const u of users) topUps.push(await w.topUp(u.c, '1,000.00'));

    const done = new Map(); // review key -> transfer number answered by a 303
    const unknown = new Map(); // review key -> user whose Confirm got no usable answer
    const owner = new Map(); // review key -> its user
    const stats = { reviews: 0, confirms: 0, ok: 0, refused: 0, failed: 0 };
    let stop = false;

    // One user's stream: review a send to the next user, then confirm it; errors are expected
    // while the portal is down.
    async function stream(i) {
      const u = users[i];
      let n = 0;
      while (!stop) {
        const to = users[(i + 1 + (n++ % (USERS - 1))) % USERS];
        let key;
        try {
          // Every POST from an address of its own: nginx's per-address limit is not under test.
          const rv = await w.sendForm(u.c, { recipient: to.email, amount: `${1 + (n % 5)}.00` }, { localAddress: w.nextAddress() });
          if (rv.status !== 303) { stats.failed++; await sleep(20); continue; }
          key = rv.key;
          owner.set(key, u);
          stats.reviews++;
          const pg = await u.c.page(rv.location);
          if (pg.status !== 200 || !pg.csrf) { unknown.set(key, u); stats.failed++; await sleep(20); continue; }
          stats.confirms++;
          const r = await u.c.post('/zh/account/send/confirm', { csrf: pg.csrf, key }, { localAddress: w.nextAddress() });
          const number = w.receiptNumber(r.location);
          if (r.status === 303 && number) { done.set(key, number); stats.ok++; }
          else if (r.status === 400) stats.refused++;
          else { unknown.set(key, u); stats.failed++; await sleep(20); }
        } catch (e) {
          // The connection died with the portal (nginx normally answers 502 instead).
          if (key) unknown.set(key, u);
          stats.failed++;
          await sleep(20);
        }
      }
    }

    const streams = users.map((_, i) => stream(i));
    const pids = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await sleep(300);
        pids.push(srv.pid());
        await srv.kill('SIGKILL');
        await sleep(30);
        await srv.restart();
      }
      await sleep(300);
    } finally {
      stop = true;
      await Promise.all(streams);
    }
    assert.equal(new Set(pids).size, ROUNDS, 'a new process every round');
    assert.ok(stats.ok >= 10, `transfers went through between the kills: ${JSON.stringify(stats)}`);

    t.diagnostic(`load: ${JSON.stringify(stats)}; ${unknown.size} confirms without an answer`);
    // A Confirm whose answer was lost is simply sent again: one transfer either way.
    for (const [key, u] of unknown) {
      if (done.has(key)) continue;
      const pg = await u.c.page(`/zh/account/send/review?key=${key}`);
      if (pg.status === 303) {
        const number = w.receiptNumber(pg.location);
        assert.ok(number, `review ${key} after a crash: ${pg.location}`);
        done.set(key, number);
        continue;
      }
      assert.equal(pg.status, 200, `review ${key} after a crash: ${pg.status}`);
      const r = await u.c.post('/zh/account/send/confirm', { csrf: pg.csrf, key }, { localAddress: w.nextAddress() });
      assert.equal(r.status, 303, `retried Confirm of ${key}: ${r.status} ${w.errorsOf(r.text)}`);
      done.set(key, w.receiptNumber(r.location));
    }
    // Every answered review, asked again, leads to the same receipt.
    for (const [key, number] of done) {
      const r = await owner.get(key).c.get(`/zh/account/send/review?key=${key}`);
      assert.equal(r.status, 303, `review ${key} after Confirm`);
      assert.equal(w.receiptNumber(r.location), number, `review ${key} names its transfer`);
    }

    // The audit holds.
    w.assertAudit(srv.db);

    // Every transfer that was answered as done is there, once.
    const numbers = new Set(w.sql(srv.db, "select number from transfers where kind = 'send'").split('\n').filter(Boolean));
    for (const [key, number] of done) assert.ok(numbers.has(number), `transfer ${number} (review ${key}) is missing`);
    assert.equal(new Set(done.values()).size, done.size, 'no two reviews answered with the same transfer');
    assert.equal(numbers.size, done.size, `every send transfer belongs to a review that was answered (${numbers.size} transfers, ${done.size} answered)`);
    assert.equal(Number(w.sql(srv.db, "select count(distinct idempotency_key) from transfers where kind = 'send' and idempotency_key like 'send:%'")), numbers.size, 'each transfer made under its own review key');

    // No money appeared or vanished: the wallets hold exactly what was added.
    assert.equal(Number(w.sql(srv.db, "select sum(balance) from accounts where kind = 'wallet'")), USERS * TOP_UP);
    assert.equal(Number(w.sql(srv.db, "select count(*) from accounts where kind = 'wallet' and balance < 0")), 0);

    // No mail lost: two per send (sender and recipient), one per top-up, all in the outbox.
    t.diagnostic(`${numbers.size} transfers in all`);
    const mails = w.sql(srv.db, "select t.number, t.kind, (select count(*) from outbox o where instr(o.body_text, t.number) > 0) from transfers t where t.kind in ('send', 'top_up')")
      .split('\n').filter(Boolean).map((l) => l.split('|'));
    assert.equal(mails.length, numbers.size + topUps.length);
    const missing = mails.filter(([, kind, n]) => Number(n) !== (kind === 'send' ? 2 : 1));
    assert.deepEqual(missing, [], 'transfers without their mails (number, kind, mails)');
    const pairs = w.sql(srv.db, `select t.number, (select group_concat(o.to_addr, ' ') from (select to_addr from outbox o where instr(o.body_text, t.number) > 0 order by to_addr) o), fu.email, tu.email
      from transfers t join users fu on fu.id = t.from_user join users tu on tu.id = t.to_user where t.kind = 'send'`).split('\n').filter(Boolean);
    for (const line of pairs) {
      const [number, to, from, recipient] = line.split('|');
      assert.equal(to, [from, recipient].sort().join(' '), `mails of ${number} go to both sides`);
    }

    // The mailer resumes after the crashes: everything queued is delivered, except the mails a
    // killed process had claimed (a batch of at most 64), which wait for their lease (cgi/outbox.c,
    // 300 s) to run out and are then delivered again.
    const now = () => Math.floor(Date.now() / 1000);
    const due = () => Number(w.sql(srv.db, `select count(*) from outbox where sent_at = 0 and next_attempt_at <= ${now()}`));
    const deadline = Date.now() + 30000; // a busy machine delivers slowly; none may be lost
    while (due() > 0 && Date.now() < deadline) await sleep(100);
    assert.equal(due(), 0, 'the outbox drains after the restarts');
    const leased = w.sql(srv.db, 'select id, next_attempt_at - created_at, last_error from outbox where sent_at = 0').split('\n').filter(Boolean);
    assert.ok(leased.length <= ROUNDS * 64, `at most one claimed batch per kill is left to its lease: ${leased.join('; ')}`);
    for (const l of leased) {
      const [, wait, err] = l.split('|');
      assert.ok(Number(wait) > 0 && Number(wait) <= 300 + 60 && err === '', `a claimed mail, not a failed one: ${l}`);
    }
    // Every mail marked sent is in the mail directory (the Message-ID names the outbox row).
    const delivered = new Set(mail.all().map((m) => m.messageId));
    const sent = w.sql(srv.db, "select '<outbox-' || id || '.' || created_at || '@okpay.example>' from outbox where sent_at > 0").split('\n').filter(Boolean);
    const undelivered = sent.filter((id) => !delivered.has(id));
    assert.deepEqual(undelivered, [], 'outbox rows marked sent without a delivered mail');
  });
});

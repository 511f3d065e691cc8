// Faults of the disk (issue 9): the database and the mail directory each on a small tmpfs of
// their own, filled up with a filler file until writes fail with ENOSPC, and the database's
// file system read-only. Writes (registration, login, a transfer's Confirm, a ticket) answer 503
// with the themed error page in the visitor's language and change nothing; reads keep working;
// once space (or write access) returns the same requests succeed without restarting the portal,
// and mail that could not be written waits in the outbox until it can. Real nginx, okpay-portal
// and SQLite; mounting needs root (CI runs as root), else `unshare -rm` is tried.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const NEEDS_ROOT = 'diskfull.test.js needs root (or a working `unshare --user --map-root-user --mount`) to mount small tmpfs file systems';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const run = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' });

// Mount a tmpfs of kb KiB on dir; throws with the reason if that is not allowed.
function mountTmpfs(dir, kb) {
  const r = run('mount', ['-t', 'tmpfs', '-o', `size=${kb}k,mode=0755`, 'tmpfs', dir]);
  if (r.status !== 0) throw new Error(`${NEEDS_ROOT}: mount: ${r.stderr || r.error}`);
}

// Fill the file system of dir to the last block; returns the filler's size in KiB.
function fill(dir) {
  const r = run('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k']);
  assert.notEqual(r.status, 0, 'dd stops at a full disk');
  assert.match(r.stderr, /No space left on device/);
  return fs.statSync(path.join(dir, 'filler')).size / 1024;
}

const unfill = (dir) => fs.rmSync(path.join(dir, 'filler'), { force: true });

if (process.getuid() !== 0 && !process.env.OKPAY_DISKFULL_NS) {
  // Not root: the same file in a user and mount namespace of its own, where we may mount.
  describe('disk faults (in a user namespace)', () => {
    it('runs under unshare', () => {
      const r = spawnSync('unshare', ['--user', '--map-root-user', '--mount', process.execPath, '--test', '--test-concurrency=1', __filename], {
        stdio: 'inherit', env: { ...process.env, OKPAY_DISKFULL_NS: '1' },
      });
      assert.equal(r.status, 0, r.error ? `${NEEDS_ROOT} (${r.error.message})` : `the tests failed under unshare, or ${NEEDS_ROOT}`);
    });
  });
} else {
  describe('disk full and read-only file systems', () => {
    const ui = w.loadUi();
    let srv, mail, dbFs, mailFs, alice, bob, pid;
    const mounted = [];

    before(async () => {
      const base = h.tmpdir('disk');
      dbFs = path.join(base, 'dbfs');
      mailFs = path.join(base, 'mailfs');
      for (const d of [dbFs, mailFs]) fs.mkdirSync(d);
      mountTmpfs(dbFs, 4096);
      mounted.push(dbFs);
      mountTmpfs(mailFs, 512);
      mounted.push(mailFs);
      srv = await h.startPortal({ db: path.join(dbFs, 'okpay.db'), mailDir: path.join(mailFs, 'mail'), args: ['--mail-retry', '1', '--hash-threads', '2'] });
      mail = new Mailbox(srv.mailDir);
      alice = await w.newUser(srv, mail, ui, { who: 'full.alice', name: 'Alice' });
      bob = await w.newUser(srv, mail, ui, { who: 'full.bob', name: 'Bob' });
      await w.topUp(alice.c, '100.00');
      pid = srv.pid();
    });

    after(async () => {
      for (const d of mounted) unfill(d);
      if (srv) await srv.stop();
      for (const d of mounted.reverse()) {
        run('mount', ['-o', 'remount,rw', d]);
        const r = run('umount', [d]);
        if (r.status !== 0) run('umount', ['-l', d]);
      }
      if (srv) assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
    });

    const count = (table) => w.count(srv.db, table);
    // Everything a refused write could have touched.
    const snapshot = () => ({
      ...w.ledger(srv.db),
      users: count('users'), sessions: count('sessions'), events: count('events'), tokens: count('tokens'),
      tickets: count('tickets'), messages: count('ticket_messages'), outbox: count('outbox'),
    });
    const logLines = (re) => srv.stderr().split('\n').filter((l) => re.test(l));

    // The writes under test, each from a new address (nginx's per-address limit is not).
    const fresh = () => new w.AddrClient(srv.base, { localAddress: w.nextAddress() });
    let seq = 0;
    async function register(lang) {
      const email = `full.new${++seq}.${process.pid}@example.com`;
      const r = await fresh().submit(`/${lang}/account/register`, { name: 'New', email, password: w.PW, password2: w.PW, terms: 'yes' });
      return { ...r, email };
    }
    const login = (lang) => fresh().submit(`/${lang}/account/login`, { email: alice.email, password: w.PW });
    // A review made while the disk still had room: its Confirm is the write under test.
    const review = async () => (await w.sendForm(alice.c, { recipient: bob.email, amount: '1.00' }, { localAddress: w.nextAddress() })).key;
    async function confirm(key, lang = 'zh') {
      const pg = await alice.c.page(`/${lang}/account/send/review?key=${key}`);
      assert.equal(pg.status, 200, `review page: ${pg.status}`);
      return alice.c.post(`/${lang}/account/send/confirm`, { csrf: pg.csrf, key }, { localAddress: w.nextAddress() });
    }
    // The ticket form, fetched early: it must have been open for 3 s before it is sent.
    async function ticketForm(lang) {
      const pg = await alice.c.page(`/${lang}/support/contact`);
      assert.equal(pg.status, 200);
      return { lang, csrf: pg.csrf, started: w.inputValue(pg.text, 'started'), at: Date.now() };
    }
    async function ticket(f) {
      await sleep(Math.max(0, f.at + 3100 - Date.now()));
      return alice.c.post(`/${f.lang}/support/contact`, {
        csrf: f.csrf, started: f.started, website: '', topic: 'other', subject: 'Disk test',
        description: 'A question asked while the disk of the service was full.', transfer: '',
      }, { localAddress: w.nextAddress() });
    }

    // The portal's own 503 page: the theme's frame in the page's language, nginx's headers.
    function assert503(r, lang, what) {
      assert.equal(r.status, 503, `${what} (${lang}): ${r.status} ${w.errorsOf(r.text)}`);
      assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
      assert.match(r.headers.get('content-security-policy') || '', /default-src 'self'/, `${what}: CSP header`);
      assert.equal(r.headers.get('retry-after'), '30');
      assert.equal(r.headers.get('set-cookie'), null, `${what}: no cookie from a write that did not happen`);
      assert.ok(r.text.includes(`<html lang="${lang}`), `${what}: page in ${lang}`);
      assert.ok(r.text.includes(`<title>${w.esc(ui[lang].error_503_title)} · `), `${what}: title`);
      assert.ok(r.text.includes(w.esc(ui[lang].error_503_text)), `${what}: text`);
      assert.match(r.text, /<link rel="stylesheet" href="\/assets\/site\.[0-9a-f]+\.css">/, `${what}: the themed page`);
      assert.doesNotMatch(r.text, /<center>nginx/, `${what}: not nginx's page`);
    }

    // Reads that must keep working whatever the disk does.
    async function assertReads(what) {
      const help = await fresh().get('/zh/');
      assert.equal(help.status, 200, `${what}: help center`);
      for (const lang of ['zh', 'en']) {
        const form = await fresh().page(`/${lang}/account/login`);
        assert.equal(form.status, 200, `${what}: login form (${lang})`);
        assert.ok(form.csrf, `${what}: login form has its token`);
      }
      const overview = await alice.c.get('/zh/account/');
      assert.equal(overview.status, 200, `${what}: a signed-in page`);
      assert.ok(overview.text.includes(w.esc(alice.email)), `${what}: the account's own data`);
    }

    it('keeps mail in the outbox while the mail directory is full, and delivers it once there is room', async (t) => {
      const kb = fill(mailFs);
      const before = logLines(/mail/).length;
      const r = await register('zh');
      assert.equal(r.status, 303, 'a registration does not need the mail directory');
      const row = () => w.sql(srv.db, `select attempts, sent_at, last_error from outbox where to_addr = ${w.q(r.email)}`).split('|');
      const t0 = Date.now();
      while (Number(row()[0]) < 2 && Date.now() - t0 < 15000) await sleep(100);
      const [attempts, sentAt, error] = row();
      assert.ok(Number(attempts) >= 2, `retried while the disk is full: ${attempts} attempts`);
      assert.equal(sentAt, '0');
      assert.match(error, /No space left on device/);
      assert.deepEqual(fs.readdirSync(srv.mailDir).filter((f) => f.includes('.tmp') || !mail.files().includes(f)), [], 'no half-written file left');
      assert.ok(!mail.all().some((m) => m.to === r.email), 'nothing delivered yet');
      unfill(mailFs);
      const m = await mail.next({ to: r.email, subject: ui.zh.mail_verify_subject }, 15000);
      assert.ok(m, 'delivered once there is room');
      const lines = logLines(/mail/).length - before;
      t.diagnostic(`mail dir full (${kb} KiB of filler): ${attempts} attempts before space returned, ${lines} log lines`);
      assert.ok(lines <= Number(attempts) + 2, `a line per failed attempt at most, not a flood: ${lines}`);
    });

    it('keeps mail in the outbox while the mail directory is read-only, remounted under the running portal', async () => {
      // The portal holds no file open there between mails, so Linux lets it go read-only.
      assert.equal(run('mount', ['-o', 'remount,ro', mailFs]).status, 0, 'remount,ro of the mail directory');
      const r = await register('en');
      assert.equal(r.status, 303);
      const row = () => w.sql(srv.db, `select attempts, sent_at, last_error from outbox where to_addr = ${w.q(r.email)}`).split('|');
      const t0 = Date.now();
      while (Number(row()[0]) < 1 && Date.now() - t0 < 10000) await sleep(100);
      assert.equal(row()[1], '0');
      assert.match(row()[2], /Read-only file system/);
      assert.equal(run('mount', ['-o', 'remount,rw', mailFs]).status, 0);
      await mail.next({ to: r.email, subject: ui.en.mail_verify_subject }, 15000);
    });

    it('answers writes 503 while the database disk is full, changes nothing, and recovers without a restart', async (t) => {
      const keys = { zh: await review(), en: await review() };
      const forms = { zh: await ticketForm('zh'), en: await ticketForm('en') };
      const kb = fill(dbFs);
      // SQLite writes on into room its log already has (that is fine: those writes are on
      // disk); small feedback votes use it up until the log must grow and cannot.
      // A write can also fail because the log is at its end while its pages still fit in the
      // database file; the checkpointer then copies them back and the log has room again. So
      // writes are refused for good only when one still fails after a few checkpoints.
      let primed = 0;
      const vote = () => fresh().post('/en/feedback', { article: '/en/security/faq/', helpful: 'yes', comment: 'x'.repeat(400), format: 'json' });
      for (let refused = 0; refused < 2 && primed < 2000;) {
        const v = await vote();
        assert.ok(v.status === 200 || v.status === 503, `feedback vote: ${v.status}`);
        if (v.status === 503) {
          refused++;
          await sleep(800);
        } else {
          refused = 0;
          primed++;
        }
      }
      assert.ok(primed < 2000, 'writes fail once the disk is full');
      t.diagnostic(`database disk full (${kb} KiB of filler); ${primed} small writes still fitted in the log`);
      const was = snapshot();
      for (const lang of ['zh', 'en']) {
        assert503(await register(lang), lang, 'registration');
        assert503(await login(lang), lang, 'login');
        assert503(await confirm(keys[lang], lang), lang, 'confirm');
        assert503(await ticket(forms[lang]), lang, 'ticket');
      }
      assert.deepEqual(snapshot(), was, 'a refused write changes nothing');
      await assertReads('disk full');

      unfill(dbFs);
      for (const lang of ['zh', 'en']) {
        const r = await register(lang);
        assert.equal(r.status, 303, `registration after space returned: ${r.status}`);
        assert.equal(r.location, `/${lang}/account/register/sent`);
        assert.equal(w.userId(srv.db, r.email) > 0, true);
        const l = await login(lang);
        assert.equal(l.status, 303, `login after space returned: ${l.status}`);
        const c = await confirm(keys[lang], lang);
        assert.ok(w.receiptNumber(c.location, lang), `confirm after space returned: ${c.status} ${c.location}`);
        const tk = await ticket(forms[lang]);
        assert.equal(tk.status, 303, `ticket after space returned: ${tk.status} ${w.errorsOf(tk.text)}`);
        assert.match(tk.location, new RegExp(`^/${lang}/support/sent\\?n=`));
      }
      assert.equal(srv.pid(), pid, 'the same portal process throughout');
      w.assertAudit(srv.db);
      const checkpoints = logLines(/checkpoints:/);
      t.diagnostic(`checkpointer said: ${checkpoints.join(' / ') || 'nothing'}`);
      assert.ok(checkpoints.length <= 2, `the checkpointer logs a failure once, not every 250 ms:\n${checkpoints.join('\n')}`);
      assert.ok(logLines(/mail thread/).length <= 2, 'the mail thread logs a failure once');
    });

    it('serves reads from a read-only database, answers writes 503, and writes again once it is writable', async (t) => {
      // Linux refuses to make a file system read-only while a process has a file open for
      // writing (the portal's database): only the kernel does, after I/O errors, and SQLite
      // then reports I/O errors, the case above. A portal started on a read-only file system
      // (after a crash, with the disk mounted read-only for a check) is what can be tested.
      const live = run('mount', ['-o', 'remount,ro', dbFs]);
      t.diagnostic(`remount,ro under the running portal: ${live.status === 0 ? 'allowed' : live.stderr.trim()}`);
      if (live.status === 0) run('mount', ['-o', 'remount,rw', dbFs]);
      const key = await review();
      const form = await ticketForm('en');
      await srv.kill('SIGKILL');
      const ro = run('mount', ['-o', 'remount,ro', dbFs]);
      assert.equal(ro.status, 0, `remount,ro: ${ro.stderr}`);
      await srv.restart();
      const was = snapshot();
      for (const lang of ['zh', 'en']) {
        assert503(await register(lang), lang, 'registration (read-only)');
        assert503(await login(lang), lang, 'login (read-only)');
      }
      assert503(await confirm(key, 'en'), 'en', 'confirm (read-only)');
      assert503(await ticket(form), 'en', 'ticket (read-only)');
      await assertReads('read-only');
      assert.deepEqual(snapshot(), was, 'nothing written to a read-only database');

      const restarted = srv.pid();
      assert.equal(run('mount', ['-o', 'remount,rw', dbFs]).status, 0);
      await sleep(1100); // each connection tries to reopen itself read-write once a second
      const r = await register('en');
      assert.equal(r.status, 303, `registration once writable: ${r.status}`);
      assert.match(srv.stderr(), /okpay\.db is writable again: 8 connections reopened\n/, 'every connection (4 workers, 2 hash threads, mail, checkpoints) reopened');
      assert.equal((await login('zh')).status, 303, 'login once writable');
      assert.ok(w.receiptNumber((await confirm(key, 'en')).location, 'en'), 'confirm once writable');
      assert.equal((await ticket(form)).status, 303, 'ticket once writable');
      assert.equal(srv.pid(), restarted, 'no restart needed');
      await mail.next({ to: r.email, subject: ui.en.mail_verify_subject }, 10000);
      w.assertAudit(srv.db);
    });
  });
}

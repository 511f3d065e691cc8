// okpay-admin, the operator command line, against the real portal (nginx + okpay-portal) and
// its database: every command's happy path and errors, --help and --json everywhere, exit
// codes (0 done, 1 not found or check failed, 2 usage, 3 error), locking and unlocking an
// account as its owner sees it (login refused, mail, activity), the operator log, and the
// ledger audit on a deliberately corrupted copy of the database.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const { PW, loadUi, esc, sql } = w;
const OP = 'op-alice';
// A sanitizer report (the ASan build) fails the command whatever its exit status says.
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;

// Every command, as --help lists it.
const COMMANDS = ['user find', 'user show', 'user lock', 'user unlock', 'transfer show', 'settle', 'audit',
  'twostep-off', 'searches', 'log'];

describe('okpay-admin', () => {
  const ui = loadUi();
  let srv, mail;

  before(async () => {
    srv = await h.startPortal();
    mail = new Mailbox(srv.mailDir);
  });

  after(async () => {
    if (srv) await srv.stop();
  });

  // Run okpay-admin on the portal's database (or db) with args; env.USER is '' unless given,
  // so only --operator names the operator. Returns { status, stdout, stderr }.
  function admin(args, { db = srv.db, user = '' } = {}) {
    const r = spawnSync(h.ADMIN, ['--db', db, '--theme', path.join(h.ROOT, 'theme'),
      '--content', path.join(h.ROOT, 'content'), '--base-url', srv.base, ...args],
    { cwd: h.ROOT, encoding: 'utf8', env: { ...process.env, USER: user }, timeout: 60000 });
    if (r.error) throw r.error;
    assert.doesNotMatch(r.stderr, SANITIZER, `okpay-admin ${args.join(' ')}:\n${r.stderr}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }
  // The same, insisting on exit status want; returns stdout parsed when json.
  function ok(args, { want = 0, json = false, ...opts } = {}) {
    const r = admin(json ? [...args, '--json'] : args, opts);
    assert.equal(r.status, want, `okpay-admin ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
    return json ? JSON.parse(r.stdout) : r.stdout;
  }
  // A usage error: exit 2, a message and the usage line on stderr, nothing on stdout.
  function usage(args, message) {
    const r = admin(args, { user: 'someone' });
    assert.equal(r.status, 2, `okpay-admin ${args.join(' ')} is a usage error: exit ${r.status}\n${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /usage: okpay-admin/);
    if (message) assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
  }

  const eventsOf = (id) => sql(srv.db, `select kind from events where user_id = ${id} order by id`).split('\n');
  const oplog = () => Number(sql(srv.db, 'select count(*) from operator_log'));

  it('has --help on every command and lists every command in its own', () => {
    const all = ok(['--help']);
    for (const cmd of COMMANDS) {
      assert.ok(all.includes(`  ${cmd}`), `--help lists ${cmd}`);
      const help = ok([...cmd.split(' '), '--help']);
      assert.ok(help.startsWith(`usage: okpay-admin ${cmd}`), `${cmd} --help: ${help}`);
      assert.match(help, /--json/);
      assert.match(help, /Exit status: 0 done, 1 not found or check failed, 2 usage, 3 error/);
    }
    assert.match(ok(['user', '--help']), /user lock ID --reason R/);
    assert.match(ok(['transfer', '--help']), /transfer show NUMBER/);
    // --help needs no database: it answers before opening one.
    const none = path.join(h.tmpdir('admin'), 'none.db');
    assert.equal(admin(['user', 'show', '--help'], { db: none }).status, 0);
    assert.equal(fs.existsSync(none), false, '--help does not create a database');
  });

  it('answers a wrong command line with exit 2 and the usage', () => {
    const r = admin([]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: okpay-admin/);
    usage(['frobnicate'], /unknown command "frobnicate"/);
    usage(['--bogus', 'audit'], /unknown option --bogus/);
    usage(['user'], /user: which one\?/);
    usage(['user', 'frob'], /unknown subcommand "frob"/);
    usage(['user', 'show'], /missing ID/);
    usage(['user', 'show', 'abc'], /"abc" is not a user id/);
    usage(['user', 'show', '1', '2'], /unexpected argument "2"/);
    usage(['user', 'find', 'x', '--nope'], /unknown option --nope/);
    usage(['user', 'lock', '1'], /--reason is required/);
    usage(['user', 'lock', '1', '--reason'], /--reason needs a value/);
    usage(['transfer'], /transfer: which one\?/);
    usage(['transfer', 'show', 'X123'], /not a transfer number/);
    usage(['settle', 'D123'], /not a deposit reference/);
    usage(['searches', '--since', 'yesterday'], /--since takes a date YYYY-MM-DD/);
    usage(['log', '--since', '2026-13-01'], /--since takes a date/);
    usage(['audit', 'extra'], /unexpected argument/);
  });

  it('finds accounts by email, whole or in part, in any case', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'Finder', name: '王小明' });
    const t = ok(['user', 'find', u.email.toUpperCase()]);
    const lines = t.trimEnd().split('\n');
    assert.match(lines[0], /^\s*id {2}email\s+name\s+verified {2}locked {2}created$/);
    assert.equal(lines.length, 2, t);
    assert.ok(lines[1].includes(u.email) && lines[1].includes('王小明'), t);
    const part = ok(['user', 'find', `finder.${process.pid}.`], { json: true });
    assert.ok(part.some((x) => x.id === u.id && x.email === u.email && x.name === '王小明' && x.verified === true && x.locked === false));
    const none = admin(['user', 'find', 'nobody-at-all@example.org']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no account's email contains "nobody-at-all@example.org"/);
    assert.equal(none.stdout, '');
    assert.deepEqual(JSON.parse(admin(['user', 'find', 'nobody-at-all', '--json']).stdout), []);
  });

  it('shows an account: profile, two-step, wallet, sessions, activity', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'shown', name: '李四' });
    await w.topUp(u.c, '88.00');
    const j = ok(['user', 'show', String(u.id)], { json: true });
    assert.equal(j.id, u.id);
    assert.equal(j.email, u.email);
    assert.equal(j.name, '李四');
    assert.equal(j.locale, 'zh');
    assert.match(j.verified, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(j.locked, null);
    assert.equal(j.lock_reason, null);
    assert.equal(j.twostep, false);
    assert.deepEqual(j.wallet, { number: w.accountNumber(srv.db, u.email), balance: 8800, currency: 'CNY' });
    assert.equal(j.sessions, 1);
    assert.ok(j.activity.some((e) => e.event === 'login'), JSON.stringify(j.activity));
    const t = ok(['user', 'show', String(u.id)]);
    assert.match(t, new RegExp(`^email +${u.email.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(t, /^two-step +off$/m);
    assert.match(t, /^balance +¥88\.00$/m);
    assert.match(t, /^sessions +1 live$/m);
    assert.match(t, /^locked +no$/m);
    const none = admin(['user', 'show', '999999']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /^okpay-admin: user show: no user with id 999999$/m);
  });

  it('locks an account: sessions end, logins are refused, the owner is mailed, the activity shows it; unlock undoes it', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'locked' });
    assert.equal((await u.c.get('/zh/account/')).status, 200);
    const before = oplog();

    // Neither --operator nor $USER: refused, nothing changes.
    const anon = admin(['user', 'lock', String(u.id), '--reason', 'test']);
    assert.equal(anon.status, 2);
    assert.match(anon.stderr, /who is acting\? give --operator NAME or set \$USER/);
    assert.equal(sql(srv.db, `select locked_at from users where id = ${u.id}`), '0');
    assert.equal(oplog(), before);
    assert.equal(admin(['user', 'lock', '999999', '--reason', 'x', '--operator', OP]).status, 1);

    const out = ok(['user', 'lock', String(u.id), '--reason', 'suspected takeover, ticket 12', '--operator', OP]);
    assert.equal(out, `user ${u.id} ${u.email}: locked; 1 session ended; the owner is mailed\n`);
    assert.notEqual(sql(srv.db, `select locked_at from users where id = ${u.id}`), '0');
    const gone = await u.c.get('/zh/account/');
    assert.equal(gone.status, 303, 'the session ended with the lock');
    assert.match(gone.location, /\/zh\/account\/login/);
    const m = await mail.next({ to: u.email, subject: ui.zh.mail_account_locked_subject }, 10000);
    assert.ok(m.text.includes(ui.zh.mail_account_locked_text));
    assert.ok(!m.text.includes('suspected takeover'), 'the reason is for operators, not mailed');
    const c = new w.AddrClient(srv.base, { localAddress: u.address });
    const refused = await c.submit('/zh/account/login', { email: u.email, password: PW });
    assert.equal(refused.status, 403);
    assert.ok(refused.text.includes(esc(ui.zh.err_login_locked)));
    assert.ok(eventsOf(u.id).includes('account_locked'));
    const shown = ok(['user', 'show', String(u.id)], { json: true });
    assert.equal(shown.lock_reason, 'suspected takeover, ticket 12');
    assert.match(shown.locked, /Z$/);
    assert.equal(shown.sessions, 0);
    assert.match(ok(['user', 'show', String(u.id)]), /^locked +LOCKED since .* UTC: suspected takeover, ticket 12$/m);

    // Again: nothing changes, nothing is mailed or logged.
    const n = oplog();
    assert.equal(ok(['user', 'lock', String(u.id), '--reason', 'again', '--operator', OP]), `user ${u.id} ${u.email}: locked already\n`);
    assert.equal(oplog(), n);

    // Unlock, the operator from $USER this time.
    const un = ok(['user', 'unlock', String(u.id)], { user: 'op-bob', json: true });
    assert.deepEqual(un, { id: u.id, email: u.email, locked: false, changed: true, sessions_ended: 0 });
    await mail.next({ to: u.email, subject: ui.zh.mail_account_unlocked_subject }, 10000);
    assert.equal(ok(['user', 'unlock', String(u.id), '--operator', OP]), `user ${u.id} ${u.email}: not locked\n`);
    const back = await c.submit('/zh/account/login', { email: u.email, password: PW });
    assert.equal(back.status, 303);
    assert.equal(back.location, '/zh/account/');
    const act = await c.get('/zh/account/activity');
    assert.equal(act.status, 200);
    assert.ok(act.text.includes(esc(ui.zh.event_account_locked)), 'the activity shows the lock');
    assert.ok(act.text.includes(esc(ui.zh.event_account_unlocked)), 'the activity shows the unlock');

    const log = ok(['log'], { json: true }).filter((e) => e.target === `user:${u.id}`);
    assert.deepEqual(log.map((e) => [e.operator, e.command]), [[OP, 'user lock'], ['op-bob', 'user unlock']]);
    assert.equal(log[0].details, 'suspected takeover, ticket 12 (1 session ended)');
  });

  it('shows a transfer: parties, amounts, fee, method, note, card brand and last four, entries', async () => {
    const a = await w.newUser(srv, mail, ui, { who: 'payer' });
    const b = await w.newUser(srv, mail, ui, { who: 'payee', name: '收款人' });
    const top = await w.topUp(a.c, '100.00');
    const note = '午饭 "lunch" \\ ok';
    const sent = await w.sendMoney(a.c, b.email, '12.34', { note });

    const t = ok(['transfer', 'show', sent.toLowerCase()]);
    assert.match(t, new RegExp(`^transfer +${sent}$`, 'm'));
    assert.match(t, /^kind +send$/m);
    assert.match(t, /^amount +¥12\.34$/m);
    assert.ok(t.includes(`user ${a.id} ${a.email}, wallet ${w.accountNumber(srv.db, a.email)}`), t);
    assert.ok(t.includes(`user ${b.id} ${b.email}`), t);
    assert.ok(t.includes(note), t);
    const j = ok(['transfer', 'show', sent], { json: true });
    assert.equal(j.number, sent);
    assert.equal(j.status, 'completed');
    assert.equal(j.amount, 1234);
    assert.equal(j.fee, 0);
    assert.equal(j.method, 'balance');
    assert.equal(j.note, note);
    assert.equal(j.from.id, a.id);
    assert.equal(j.to.id, b.id);
    assert.equal(j.to.name, '收款人');
    assert.equal(j.entries.reduce((s, e) => s + e.amount, 0), 0, 'entries sum to zero');
    const toEntry = j.entries.find((e) => e.owner === b.email);
    assert.equal(toEntry.amount, 1234);
    assert.equal(toEntry.balance_after, w.balance(srv.db, b.email));
    assert.equal(j.entries.find((e) => e.owner === a.email).balance_after, w.balance(srv.db, a.email));

    // A card top-up: brand and last four digits, never more, and its fee.
    const c = ok(['transfer', 'show', top], { json: true });
    assert.equal(c.method, 'card');
    assert.match(c.card, /4242$/);
    assert.ok(!JSON.stringify(c).includes('4242 4242') && !JSON.stringify(c).includes('42424242'));
    assert.equal(c.fee, w.cardFee(10000));
    assert.equal(c.from, null);
    assert.ok(c.entries.some((e) => e.kind === 'fee_income' && e.amount === w.cardFee(10000)));

    const none = admin(['transfer', 'show', 'T209901010000001']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no transfer with number T209901010000001/);
  });

  it('settles a bank deposit once, logged with its operator', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'settled' });
    const r = await w.addMoney(u.c, { amount: '60.00', method: 'bank' });
    assert.equal(r.status, 303);
    const ref = r.location.match(/ref=(D[A-Z0-9]{8})$/)[1];
    const j = ok(['settle', ref, '--operator', OP], { json: true });
    assert.equal(j.reference, ref);
    assert.equal(j.settled_now, true);
    assert.match(j.transfer, /^T\d{15}$/);
    assert.equal(w.balance(srv.db, u.email), 6000);
    assert.equal(ok(['settle', ref.toLowerCase()], { user: 'op-carol' }), `${ref} was settled before: transfer ${j.transfer}\n`);
    assert.equal(w.balance(srv.db, u.email), 6000);
    assert.equal(admin(['settle', 'DZZZZZZZZ', '--operator', OP]).status, 1);
    assert.equal(admin(['settle', ref]).status, 2, 'no operator: refused');
    const log = ok(['log'], { json: true }).filter((e) => e.target === ref);
    assert.deepEqual(log.map((e) => [e.operator, e.command, e.details]), [
      [OP, 'settle', `settled: transfer ${j.transfer}`],
      ['op-carol', 'settle', `settled before: transfer ${j.transfer}`]]);
  });

  it('twostep-off: an account without it is left alone, an unknown one is exit 1', async () => {
    const u = await w.newUser(srv, mail, ui, { who: 'nots' });
    const n = oplog();
    assert.equal(ok(['twostep-off', u.email, '--operator', OP]), `${u.email}: two-step verification is off already\n`);
    assert.deepEqual(ok(['twostep-off', u.email, '--operator', OP], { json: true }), { id: u.id, email: u.email, changed: false });
    assert.equal(oplog(), n, 'nothing changed, nothing logged');
    const none = admin(['twostep-off', 'nobody@example.com', '--operator', OP]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no account with email nobody@example\.com/);
  });

  it('lists searches as a safe table and as JSON', () => {
    sql(srv.db, "insert into search_log (query, locale, results, at) values ('转账' || char(27) || '[31m', 'zh', 0, strftime('%s','now')), ('转账' || char(27) || '[31m', 'zh', 0, strftime('%s','now')), ('fees', 'en', 3, strftime('%s','now'))");
    const t = ok(['searches']);
    assert.ok(!t.includes('\x1b'), 'no raw escape character reaches the terminal');
    assert.match(t, /^ +2 +0 {2}zh {6}转账\\x1b\[31m$/m);
    const j = ok(['searches', '--zero-results'], { json: true });
    assert.ok(j.some((x) => x.query === '转账\x1b[31m' && x.count === 2 && x.results === 0));
    assert.ok(!j.some((x) => x.query === 'fees'));
    assert.deepEqual(ok(['searches', '--since', '2099-01-01'], { json: true }), []);
  });

  it('reads the operator log, as a table, as JSON and since a day', () => {
    const t = ok(['log']);
    assert.match(t.split('\n')[0], /^time +operator +command +target +details$/);
    assert.match(t, new RegExp(`UTC {2}${OP} +user lock +user:\\d+ +suspected takeover`));
    const j = ok(['log'], { json: true });
    assert.ok(j.length >= 4);
    for (const e of j) {
      assert.match(e.at, /Z$/);
      assert.ok(e.operator && e.command);
    }
    assert.deepEqual(ok(['log', '--since', '2099-01-01'], { json: true }), []);
    assert.equal(ok(['log', '--since', '2099-01-01']), 'no operator actions\n');
  });

  it('audit passes on the database and fails with a report on a corrupted copy', () => {
    assert.equal(ok(['audit']), 'ledger ok\n');
    assert.deepEqual(ok(['audit'], { json: true }), { ok: true, problems: [] });
    const dir = h.tmpdir('audit');
    // A cached balance that no longer matches its entries.
    const copy1 = path.join(dir, 'balance.db');
    execFileSync('sqlite3', [srv.db, `.backup ${copy1}`]);
    assert.equal(ok(['audit'], { db: copy1 }), 'ledger ok\n', 'the copy is sound before it is corrupted');
    sql(copy1, "update accounts set balance = balance + 1 where id = (select id from accounts where kind = 'wallet' and balance > 0 order by id limit 1)");
    const r1 = admin(['audit'], { db: copy1 });
    assert.equal(r1.status, 1, r1.stdout + r1.stderr);
    assert.match(r1.stdout, /^account \d+: balance \d+ but its entries sum to \d+$/m);
    assert.match(r1.stdout, /^ledger audit failed: 1 problem$/m);
    // An entry gone: its transfer no longer balances, and neither does the account.
    const copy2 = path.join(dir, 'entry.db');
    execFileSync('sqlite3', [srv.db, `.backup ${copy2}`]);
    sql(copy2, 'delete from entries where id = (select max(id) from entries)');
    const r2 = admin(['audit', '--json'], { db: copy2 });
    assert.equal(r2.status, 1);
    const j2 = JSON.parse(r2.stdout);
    assert.equal(j2.ok, false);
    assert.ok(j2.problems.some((p) => /^transfer \d+: entries sum to -?\d+, not 0$/.test(p)), r2.stdout);
    assert.ok(j2.problems.some((p) => /^account \d+: balance/.test(p)), r2.stdout);
    // The original is untouched.
    assert.equal(ok(['audit']), 'ledger ok\n');
  });
});

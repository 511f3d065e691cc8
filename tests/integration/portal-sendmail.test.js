// Mail through --sendmail: delivered to the command, and kept for a retry when it fails; a
// command that hangs is killed at --sendmail-timeout while registrations keep answering at
// once, and failed mails are retried with a growing delay (--mail-retry makes it seconds).
'use strict';
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client, parseMail } = require('../lib/http');

const site = h.buildSite();
const sql = (db, q) => execFileSync('sqlite3', ['-cmd', '.timeout 5000', db, q], { encoding: 'utf8' }).trim();

// A sendmail stand-in: records its arguments and the message, exits with the given status.
function fakeSendmail(dir, status) {
  const script = path.join(dir, `sendmail-${status}.sh`);
  fs.writeFileSync(script, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/argv"\ncat > "${dir}/message"\nexit ${status}\n`);
  fs.chmodSync(script, 0o755);
  return script;
}

// A sendmail that reads the message, notes its pid, then hangs far past the portal's timeout.
function hangingSendmail(dir) {
  const script = path.join(dir, 'sendmail-hang.sh');
  fs.writeFileSync(script, `#!/bin/sh\necho $$ >> "${dir}/pids"\ncat > /dev/null\nexec sleep 60\n`);
  fs.chmodSync(script, 0o755);
  return script;
}

const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };

// Watch the outbox row id: each time its attempts go up, note when (test clock, seconds) and
// its next_attempt_at, until it has `attempts` attempts. Returns [{ attempts, seenAt, next, error }].
async function watchAttempts(db, id, attempts, ms) {
  const seen = [];
  await until(() => {
    const [a, next, sent, error] = sql(db, `select attempts, next_attempt_at, sent_at, last_error from outbox where id = ${id}`).split('|');
    assert.equal(sent, '0', 'a failing mail is never marked sent');
    if (Number(a) > seen.length) seen.push({ attempts: Number(a), seenAt: Date.now() / 1000, next: Number(next), error });
    return seen.length >= attempts;
  }, ms);
  return seen;
}

// The waits the portal chose after each attempt, as seen right after it: they must grow.
function assertGrowing(seen) {
  const waits = seen.map((s) => s.next - s.seenAt);
  for (let i = 1; i < waits.length; i++) {
    assert.ok(waits[i] > waits[i - 1] + 0.5, `retry waits grow: ${waits.map((x) => x.toFixed(1)).join(', ')} s`);
  }
  return waits;
}

async function register(base, email) {
  const c = new Client(base);
  const r = await c.submit('/en/account/register', {
    name: 'Mail Test', email, password: 'quiet river under seven bridges',
    password2: 'quiet river under seven bridges', terms: 'yes',
  });
  assert.equal(r.status, 303);
}

async function until(fn, ms = 5000) {
  const t0 = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('portal mail through --sendmail', () => {
  const started = [];
  after(async () => { for (const p of started) await p.stop(); });

  it('hands the message to the command with the recipient after --', async () => {
    const dir = h.tmpdir('sendmail');
    const p = await h.startPortal({ siteDir: site, sendmail: fakeSendmail(dir, 0) });
    started.push(p);
    await register(p.base, 'send.ok@example.com');
    const raw = await until(() => fs.existsSync(path.join(dir, 'message')) && fs.readFileSync(path.join(dir, 'message'), 'utf8'));
    assert.deepEqual(fs.readFileSync(path.join(dir, 'argv'), 'utf8').trim().split('\n'), ['-i', '--', 'send.ok@example.com']);
    const mail = parseMail(raw);
    assert.equal(mail.to, 'send.ok@example.com');
    assert.match(mail.text, /\/en\/account\/verify\?token=/);
    await until(() => sql(p.db, 'select sent_at > 0 from outbox') === '1');
    assert.ok(!fs.existsSync(p.mailDir), 'no mail directory, no .eml files, when sendmail is used');
  });

  it('keeps a mail whose delivery failed, with the error and a later retry time', async () => {
    const dir = h.tmpdir('sendmail');
    const p = await h.startPortal({ siteDir: site, sendmail: fakeSendmail(dir, 75) });
    started.push(p);
    await register(p.base, 'send.fail@example.com');
    const row = await until(() => {
      const r = sql(p.db, "select attempts, sent_at, next_attempt_at - strftime('%s','now'), last_error from outbox");
      return r && r.startsWith('1|') ? r : null;
    });
    const [attempts, sentAt, wait, error] = row.split('|');
    assert.equal(attempts, '1');
    assert.equal(sentAt, '0', 'not marked sent');
    assert.ok(Number(wait) >= 20 && Number(wait) <= 40, `retried in about 30 s, got ${wait}`);
    assert.match(error, /delivery failed/);
    assert.ok(fs.existsSync(path.join(dir, 'message')), 'the command was really run');
  });

  it('answers registrations at once while sendmail hangs, kills it at the timeout and retries later each time', async (t) => {
    const dir = h.tmpdir('sendmail');
    const p = await h.startPortal({ siteDir: site, sendmail: hangingSendmail(dir), args: ['--sendmail-timeout', '1', '--mail-retry', '2'] });
    started.push(p);
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await register(p.base, `send.slow${i}@example.com`);
      times.push(Date.now() - t0);
    }
    t.diagnostic(`registrations while sendmail hangs: ${times.join(', ')} ms`);
    for (const ms of times) assert.ok(ms < 2000, `a registration took ${ms} ms while mail hung`);
    const id = Number(sql(p.db, "select id from outbox where to_addr = 'send.slow0@example.com'"));
    const seen = await watchAttempts(p.db, id, 3, 30000);
    for (const s of seen) assert.match(s.error, /delivery failed: Connection timed out/);
    const waits = assertGrowing(seen);
    t.diagnostic(`waits after attempts 1-3: ${waits.map((x) => x.toFixed(1)).join(', ')} s`);
    // Every hung command was killed at its timeout (its process group: sh and its sleep).
    const pids = fs.readFileSync(path.join(dir, 'pids'), 'utf8').trim().split('\n').map(Number);
    assert.ok(pids.length >= 3, `the command ran once per attempt: ${pids.length}`);
    await until(() => pids.every((pid) => !alive(pid)), 3000);
    // A hung command stops the batch: the other mails wait untried instead of 1 s each.
    const tried = Number(sql(p.db, 'select count(*) from outbox where attempts > 0'));
    assert.ok(tried <= pids.length, `one command per attempt, not one per queued mail: ${tried} tried, ${pids.length} runs`);
    assert.equal(sql(p.db, 'select count(*) from outbox where sent_at > 0'), '0');
    const log = p.stderr().split('\n').filter((l) => /mail/.test(l));
    assert.ok(log.length <= 2 * pids.length + 2, `about one line per failed attempt, not per queued mail:\n${log.join('\n')}`);
  });

  it('retries a failing command with a growing delay and delivers once it works again', async (t) => {
    const dir = h.tmpdir('sendmail');
    const script = fakeSendmail(dir, 75);
    const p = await h.startPortal({ siteDir: site, sendmail: script, args: ['--mail-retry', '1'] });
    started.push(p);
    await register(p.base, 'send.again@example.com');
    const id = Number(sql(p.db, 'select id from outbox'));
    const seen = await watchAttempts(p.db, id, 4, 30000);
    for (const s of seen) assert.match(s.error, /delivery failed: Input\/output error/);
    const waits = assertGrowing(seen);
    t.diagnostic(`waits after attempts 1-4: ${waits.map((x) => x.toFixed(1)).join(', ')} s`);
    // The command works again (status 0): the next retry delivers, once.
    fs.writeFileSync(script, `#!/bin/sh\ncat > "${dir}/message"\nexit 0\n`);
    await until(() => sql(p.db, `select sent_at > 0 from outbox where id = ${id}`) === '1', 30000);
    assert.match(fs.readFileSync(path.join(dir, 'message'), 'utf8'), /send\.again@example\.com/);
  });
});

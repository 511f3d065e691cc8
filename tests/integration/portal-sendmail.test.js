// Mail through --sendmail: delivered to the command, and kept for a retry when it fails.
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
});

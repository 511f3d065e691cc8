// okpay-admin backup against a portal that serves (issue 9): the copy is made while transfers
// and registrations go on, passes okpay-admin audit and PRAGMA integrity_check, is mode 0600,
// and restoring it (portal stopped, file replaced, -wal and -shm removed, portal started) brings
// back the accounts it holds. The restore follows docs/operations.md.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFile, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client, Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

// okpay-admin without blocking the event loop: the load below keeps running meanwhile.
function adminAsync(db, ...args) {
  return new Promise((resolve) => {
    execFile(w.ADMIN, ['--db', db, ...args], { encoding: 'utf8', timeout: 60000 }, (err, stdout, stderr) => {
      resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function integrity(db) {
  const r = spawnSync('sqlite3', [db, 'PRAGMA integrity_check;'], { encoding: 'utf8' });
  return r.stdout.trim();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function login(srv, email) {
  const c = new Client(srv.base);
  return c.submit('/zh/account/login', { email, password: w.PW });
}

describe('okpay-admin backup', () => {
  const ui = w.loadUi();
  let srv, mail, dir;

  before(async () => {
    srv = await h.startPortal();
    mail = new Mailbox(srv.mailDir);
    dir = h.tmpdir('backup');
  });
  after(async () => { if (srv) await srv.stop(); });

  it('copies the database while transfers and registrations go on; the copy passes audit and integrity_check', async () => {
    const a = await w.newUser(srv, mail, ui, { who: 'payer' });
    const b = await w.newUser(srv, mail, ui, { who: 'payee' });
    await w.topUp(a.c, '500.00');
    let stop = false;
    let failure = null;
    let sent = 0;
    let registered = 0;
    // Paced under nginx's limit of POSTs per address (30/s): a transfer is two POSTs.
    const transfers = (async () => {
      while (!stop) { await w.sendMoney(a.c, b.email, '0.01'); sent++; await sleep(40); }
    })().catch((e) => { failure = failure || e; stop = true; });
    const registrations = (async () => {
      while (!stop) { await w.newUser(srv, mail, ui, { who: 'during', verify: false }); registered++; }
    })().catch((e) => { failure = failure || e; stop = true; });
    while ((sent < 3 || registered < 1) && !stop) await sleep(20);
    const copy = path.join(dir, 'live.db');
    const sentBefore = sent;
    const r = await adminAsync(srv.db, 'backup', copy);
    const sentDuring = sent - sentBefore;
    stop = true;
    await Promise.all([transfers, registrations]);
    if (failure) throw failure;
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^.*live\.db: \d+ pages, \d+ bytes in \d+ ms; integrity check ok\n$/);
    assert.equal(fs.statSync(copy).mode & 0o777, 0o600, 'the copy is readable by its owner only');
    assert.ok(!fs.existsSync(`${copy}.tmp`), 'no .tmp left behind');
    assert.equal(integrity(copy), 'ok');
    const audit = spawnSync(w.ADMIN, ['--db', copy, 'audit'], { encoding: 'utf8' });
    assert.equal(audit.status, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /ledger ok/);
    // The copy is a moment of the live database: no more transfers than it has now.
    const inCopy = w.count(copy, 'transfers');
    assert.ok(inCopy >= 1 + sentBefore && inCopy <= w.count(srv.db, 'transfers'), `${inCopy} transfers in the copy`);
    console.log(`backup: ${r.stdout.trim()}; ${sentDuring} transfers confirmed while it ran`);
  });

  it('refuses to overwrite an existing file unless --force, and says so', async () => {
    const copy = path.join(dir, 'twice.db');
    assert.equal((await adminAsync(srv.db, 'backup', copy)).status, 0);
    const again = await adminAsync(srv.db, 'backup', copy);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /twice\.db exists: give another path or --force/);
    const forced = await adminAsync(srv.db, 'backup', copy, '--force', '--json');
    assert.equal(forced.status, 0, forced.stderr);
    const j = JSON.parse(forced.stdout);
    assert.equal(j.integrity, 'ok');
    assert.equal(j.path, copy);
    assert.equal(j.bytes, fs.statSync(copy).size);
  });

  it('restores: the portal stopped, the copy put in place, -wal and -shm removed, started again', async () => {
    const kept = await w.newUser(srv, mail, ui, { who: 'kept' });
    const copy = path.join(dir, 'restore.db');
    const r = await adminAsync(srv.db, 'backup', copy);
    assert.equal(r.status, 0, r.stderr);
    const lost = await w.newUser(srv, mail, ui, { who: 'lost' });
    assert.equal((await login(srv, lost.email)).status, 303, 'registered after the backup: logs in now');

    await srv.kill('SIGTERM');
    fs.copyFileSync(copy, srv.db);
    fs.rmSync(`${srv.db}-wal`, { force: true });
    fs.rmSync(`${srv.db}-shm`, { force: true });
    await srv.restart();

    assert.equal((await login(srv, kept.email)).status, 303, 'a user from before the backup logs in');
    const gone = await login(srv, lost.email);
    assert.equal(gone.status, 401, 'a user from after the backup is not in the restored database');
    assert.equal(w.count(srv.db, 'users', `email_key = lower(${w.q(lost.email)})`), 0);
  });
});

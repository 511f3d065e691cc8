// `make run` serves the site on PORT and stops everything it started on SIGTERM or Ctrl-C.
'use strict';
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const h = require('../lib/harness');

const started = [];

// True as soon as (async) check() is true, false if it is still false after ms.
async function within(ms, check) {
  const t0 = Date.now();
  for (;;) {
    if (await check()) return true;
    if (Date.now() - t0 >= ms) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startMakeRun() {
  const port = await h.freePort();
  // detached: its own process group, as a terminal would give it.
  const proc = spawn('make', ['-s', 'run', `PORT=${port}`], { cwd: h.ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  started.push(proc);
  // serve.sh's "nginx -t" binds the port for a moment too: wait for serve.sh to say it started
  // the real nginx, then for that nginx to listen.
  const announced = () => out.includes('okpay: help center and portal at');
  await within(60000, () => announced() || proc.exitCode !== null);
  if (!announced()) throw new Error(`make run did not start:\n${out}`);
  await h.waitForPort(port, 10000).catch((e) => { throw new Error(`${e.message}\n${out}`); });
  return { proc, port, output: () => out };
}

// Whether any process of make's process group (make, serve.sh, the portal, nginx) still runs.
const groupAlive = (pgid) => {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
};

// Whatever a failed test left running is killed, and the pipes let go, so that this file's
// process can exit (a survivor holding make's stdout would keep it, and the runner, waiting).
afterEach(() => {
  for (const proc of started.splice(0)) {
    if (groupAlive(proc.pid)) process.kill(-proc.pid, 'SIGKILL');
    proc.stdout.destroy();
    proc.stderr.destroy();
  }
});

const listening = (port) => new Promise((resolve) => {
  const s = require('node:net').connect(port, '127.0.0.1');
  s.on('connect', () => { s.destroy(); resolve(true); });
  s.on('error', () => resolve(false));
});

const stoppedWithin = (port, ms) => within(ms, async () => !(await listening(port)));
const groupGoneWithin = (pgid, ms) => within(ms, () => !groupAlive(pgid));

describe('make run', () => {
  it('serves the help center and stops on SIGTERM to make', async () => {
    const { proc, port, output } = await startMakeRun();
    const r = await fetch(`http://127.0.0.1:${port}/zh/`);
    assert.equal(r.status, 200);
    assert.match(output(), new RegExp(`http://127.0.0.1:${port}/`));
    process.kill(proc.pid, 'SIGTERM');
    assert.ok(await stoppedWithin(port, 5000), 'nginx stopped after SIGTERM to make');
    assert.ok(await groupGoneWithin(proc.pid, 10000), `every process make started exited after SIGTERM:\n${output()}`);
  });

  it('stops everything on Ctrl-C', async () => {
    const { proc, port } = await startMakeRun();
    process.kill(-proc.pid, 'SIGINT'); // the whole foreground process group, as a terminal does
    assert.ok(await stoppedWithin(port, 5000), 'nginx stopped after Ctrl-C');
    assert.ok(await groupGoneWithin(proc.pid, 10000), 'every process make started exited after Ctrl-C');
  });
});

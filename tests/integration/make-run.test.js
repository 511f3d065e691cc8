// `make run` serves the site on PORT and stops everything it started on SIGTERM or Ctrl-C.
'use strict';
const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const h = require('../lib/harness');

const started = [];

async function startMakeRun() {
  const port = await h.freePort();
  // detached: its own process group, as a terminal would give it.
  const proc = spawn('make', ['-s', 'run', `PORT=${port}`], { cwd: h.ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  started.push(proc);
  await h.waitForPort(port, 60000).catch((e) => { throw new Error(`${e.message}\n${out}`); });
  return { proc, port, output: () => out };
}

// Whether any process of make's process group (make, serve.sh, the portal, nginx) still runs.
const groupAlive = (pgid) => {
  try { process.kill(-pgid, 0); return true; } catch { return false; }
};

// True when the whole process group has exited within ms.
async function groupGoneWithin(pgid, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !groupAlive(pgid);
}

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

async function stoppedWithin(port, ms) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (!(await listening(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

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

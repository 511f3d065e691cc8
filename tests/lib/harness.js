// Shared by the integration and browser tests: build the site and serve it with the real
// nginx on a free loopback port, exactly as `make run` does (nginx/render.sh).
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SITE_GEN = path.resolve(ROOT, process.env.SITE_GEN || 'build/release/bin/site-gen');
const PORTAL = path.resolve(ROOT, process.env.PORTAL || 'build/release/bin/okpay-portal');
const ADMIN = path.join(path.dirname(PORTAL), 'okpay-admin');
// PORTAL_WRAPPER: a command the portal runs under (`make test-valgrind`), words split on spaces,
// `{dir}` replaced by the portal's directory, e.g.
//   valgrind --error-exitcode=99 --quiet --log-file={dir}/valgrind.%p.log
// stop() then fails the test when the wrapper exited 99 or left a non-empty valgrind*.log there.
// Wrapped portals start and stop slower (memcheck: seconds), so their timeouts are longer.
const PORTAL_WRAPPER = (process.env.PORTAL_WRAPPER || '').split(' ').filter(Boolean);
const PORTAL_SLOW = PORTAL_WRAPPER.length ? 12 : 1;

// Every directory a test file makes sits in one per process, removed when the process exits,
// so that runs do not pile up sites and databases in /tmp (CI reuses the machine).
let runDir = null;
function tmpdir(prefix) {
  if (!runDir) {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'okpay-test-'));
    process.on('exit', () => fs.rmSync(runDir, { recursive: true, force: true }));
  }
  return fs.mkdtempSync(path.join(runDir, `${prefix}-`));
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Run site-gen; returns { status, stdout, stderr }.
function siteGen(args, opts = {}) {
  const r = spawnSync(SITE_GEN, args, { cwd: opts.cwd || ROOT, encoding: 'utf8', timeout: 120000, env: { ...process.env, ...opts.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Build `content` (default: the real content) into a fresh directory; throws on failure.
function buildSite({ content = 'content', baseUrl } = {}) {
  const out = path.join(tmpdir('site'), 'site');
  const args = ['--content', path.resolve(ROOT, content), '--theme', path.join(ROOT, 'theme'), '--out', out, '--quiet'];
  if (baseUrl) args.push('--base-url', baseUrl);
  const r = siteGen(args);
  if (r.status !== 0) throw new Error(`site-gen failed:\n${r.stderr}`);
  return out;
}

function waitForPort(port, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(); });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

// Start nginx for siteDir; resolves to { port, base, varDir, stop() }.
// extraHeaders: lines for add_header, e.g. 'LinkChecker "allow"' (linkchecker then stops
// throttling itself to a few requests per second for that host).
async function startNginx(siteDir, opts = {}) {
  return startNginxOn(await freePort(), siteDir, opts.fcgiSocket, opts.extraHeaders);
}

async function startNginxOn(port, siteDir, fcgiSocket, extraHeaders = []) {
  const varDir = tmpdir('var');
  const args = [path.join(ROOT, 'nginx/render.sh'), String(port), siteDir, varDir];
  if (fcgiSocket) args.push(fcgiSocket);
  const conf = execFileSync('sh', args, { encoding: 'utf8' }).trim();
  for (const hdr of extraHeaders) {
    fs.appendFileSync(path.join(varDir, 'nginx', 'security-headers.conf'), `add_header ${hdr} always;\n`);
  }
  // A portal under memcheck hashes a password in about 5 s instead of 0.2 s (argon2id, 80 MiB)
  // and runs one thread at a time, so a burst of logins outlasts nginx's default 60 s.
  if (fcgiSocket && PORTAL_WRAPPER.length) {
    fs.appendFileSync(path.join(varDir, 'nginx', 'fastcgi.conf'), `fastcgi_read_timeout ${60 * PORTAL_SLOW}s;\n`);
  }
  const proc = spawn('nginx', ['-c', conf, '-p', path.join(varDir, 'nginx')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  try {
    await waitForPort(port);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`nginx did not start: ${stderr}`);
  }
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    varDir,
    stop: () => new Promise((resolve) => {
      if (proc.exitCode !== null) return resolve();
      proc.on('exit', () => resolve());
      proc.kill('SIGQUIT');
      setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
    }),
  };
}

// Start the portal (FastCGI) with a fresh database, mail directory and key in a new directory,
// then nginx in front of it serving siteDir. Resolves to
// { base, port, dir, db, mailDir, stop(), kill(signal), restart(), pid() }.
// opts: { dev = true, workers = 4, sendmail, env, siteDir, db, mailDir (paths elsewhere, e.g. on
// a small file system), args: [extra portal flags] }
// stop() also runs `okpay-admin audit` on the database and throws when the ledger is wrong, so
// every test that starts a portal proves the ledger's invariants at its end.
async function startPortal(opts = {}) {
  const dir = tmpdir('portal');
  const siteDir = opts.siteDir || buildSite();
  const port = await freePort();
  const sock = path.join(dir, 'okpay.sock');
  const db = opts.db || path.join(dir, 'okpay.db');
  const mailDir = opts.mailDir || path.join(dir, 'mail');
  const args = ['--db', db, '--socket', sock, '--mail-dir', mailDir, '--key', path.join(dir, 'secret.key'),
    '--log', path.join(dir, 'portal.log'), '--base-url', `http://127.0.0.1:${port}`,
    '--theme', path.join(ROOT, 'theme'), '--content', path.join(ROOT, 'content'),
    '--workers', String(opts.workers || 4), '--upload-dir', path.join(dir, 'uploads'), ...(opts.args || [])];
  // The search index site-gen wrote beside the site, unless the test names another.
  if (!args.includes('--search-db')) args.push('--search-db', path.join(path.dirname(siteDir), 'search.db'));
  if (opts.dev !== false) args.push('--dev');
  if (opts.sendmail) args.push('--sendmail', opts.sendmail);
  let proc;
  const procs = []; // every process started, for the wrapper's exit codes
  let stderr = '';
  const spawnPortal = async () => {
    fs.rmSync(sock, { force: true }); // a killed portal leaves its socket file behind
    const wrap = PORTAL_WRAPPER.map((w) => w.replaceAll('{dir}', dir));
    const cmd = wrap.length ? [...wrap, PORTAL, ...args] : [PORTAL, ...args];
    proc = spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...opts.env } });
    procs.push(proc);
    proc.stderr.on('data', (d) => { stderr += d; });
    const t0 = Date.now();
    while (!fs.existsSync(sock)) {
      if (proc.exitCode !== null || Date.now() - t0 > 10000 * PORTAL_SLOW) throw new Error(`portal did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const stopPortal = async (signal) => {
    // This process, not whichever `proc` names in 5 s: a restarted portal must not get the
    // SIGKILL meant for the one before it.
    const p = proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const done = new Promise((resolve) => p.on('exit', resolve));
    p.kill(signal);
    const timer = setTimeout(() => p.kill('SIGKILL'), 5000 * PORTAL_SLOW);
    timer.unref();
    await done;
    clearTimeout(timer);
  };
  await spawnPortal();
  const nginx = await startNginxOn(port, siteDir, sock);
  return {
    base: nginx.base, port, dir, db, mailDir, siteDir, uploadDir: path.join(dir, 'uploads'),
    stderr: () => stderr,
    pid: () => proc.pid,
    // Kill the portal (nginx stays up), e.g. with SIGKILL to simulate a crash.
    kill: (signal = 'SIGKILL') => stopPortal(signal),
    // Start the portal again on the same database, socket and mail directory.
    restart: async () => { await stopPortal('SIGTERM'); await spawnPortal(); },
    stop: async () => {
      await nginx.stop();
      await stopPortal('SIGTERM');
      audit(db);
      if (PORTAL_WRAPPER.length) wrapperReport(dir, procs);
    },
  };
}

// Throws with the valgrind logs (valgrind*.log in dir) when any is non-empty or a wrapped portal
// exited with valgrind's --error-exitcode (99). --quiet keeps a clean run's log empty.
function wrapperReport(dir, procs) {
  const logs = fs.readdirSync(dir).filter((f) => /^valgrind.*\.log$/.test(f))
    .map((f) => ({ f, text: fs.readFileSync(path.join(dir, f), 'utf8') }))
    .filter((l) => l.text.trim() !== '');
  const bad = procs.filter((p) => p.exitCode === 99).map((p) => p.pid);
  if (logs.length || bad.length) {
    throw new Error(`valgrind found errors in the portal${bad.length ? ` (exit 99: pid ${bad.join(', ')})` : ''}:\n`
      + logs.map((l) => `--- ${path.join(dir, l.f)}\n${l.text}`).join('\n'));
  }
}

// `okpay-admin audit` on the database db: throws with its report when an invariant fails.
function audit(db) {
  const r = spawnSync(ADMIN, ['--db', db, 'audit'], { cwd: ROOT, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`ledger audit failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

// Every generated HTML file below dir, as paths relative to it.
function htmlFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) out.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

// Copy a directory tree (content fixtures that tests modify).
function copyTree(from, to) {
  fs.cpSync(from, to, { recursive: true });
  return to;
}

module.exports = { ROOT, SITE_GEN, PORTAL, ADMIN, audit, startPortal, tmpdir, freePort, siteGen, buildSite, startNginx, htmlFiles, copyTree, waitForPort };

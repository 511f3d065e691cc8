// make install (issue 9): the tree it writes under DESTDIR without root, the systemd units
// (hardening, paths that exist in the tree, systemd-analyze verify), logrotate against the
// nginx site, and the installed portal behind real nginx with the production HTTPS site file
// (nginx/render-https.sh, as make install renders it) on loopback ports with a self-signed
// certificate: HSTS and CSP on static and portal pages, HTTP redirected with 301, HTTP/2.
// The portal runs as the unit says, from the unit's own ExecStart with the paths moved into
// the test's directory, through systemd-socket-activate (socket activation).
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const path = require('node:path');
const tls = require('node:tls');
const h = require('../lib/harness');

const HSTS = 'max-age=63072000; includeSubDomains';

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// A unit file as { section: { key: [values] } }, continuation lines joined.
function parseUnit(text) {
  const out = {};
  let sec = null;
  for (const line of text.replace(/\\\n\s*/g, ' ').split('\n')) {
    const l = line.trim();
    if (!l || l.startsWith('#') || l.startsWith(';')) continue;
    const m = l.match(/^\[(.+)\]$/);
    if (m) { sec = out[m[1]] = out[m[1]] || {}; continue; }
    const i = l.indexOf('=');
    const k = l.slice(0, i).trim();
    (sec[k] = sec[k] || []).push(l.slice(i + 1).trim());
  }
  return out;
}

function get(port, p, { tlsOn = true } = {}) {
  const mod = tlsOn ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ host: '127.0.0.1', port, path: p, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('make install', () => {
  const dest = h.tmpdir('destdir');
  const run = h.tmpdir('installed');
  let site;
  let unit;
  let nginx;
  let portal;
  let httpPort;
  let httpsPort;

  before(() => {
    site = h.buildSite();
    const t0 = Date.now();
    // install-files: what `make install` runs after building, on the binaries under test.
    const r = spawnSync('make', ['--no-print-directory', 'install-files', `DESTDIR=${dest}`, 'PREFIX=/usr',
      `INSTALL_BIN=${path.dirname(h.PORTAL)}`, `INSTALL_SITE=${site}`,
      `INSTALL_SEARCH_DB=${path.join(path.dirname(site), 'search.db')}`], { cwd: h.ROOT, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    console.log(`make install-files: ${Date.now() - t0} ms`);
    unit = parseUnit(fs.readFileSync(path.join(dest, 'usr/lib/systemd/system/okpay-portal.service'), 'utf8'));
  });

  after(async () => {
    if (nginx && nginx.exitCode === null) { nginx.kill('SIGQUIT'); await new Promise((r) => nginx.on('exit', r)); }
    if (portal && portal.exitCode === null) { portal.kill('SIGTERM'); await new Promise((r) => portal.on('exit', r)); }
  });

  it('writes the tree a Debian admin expects, with the right modes', () => {
    const mode = (p) => fs.statSync(path.join(dest, p)).mode & 0o777;
    for (const p of ['usr/sbin/okpay-portal', 'usr/sbin/okpay-admin', 'usr/bin/site-gen']) assert.equal(mode(p), 0o755, p);
    for (const p of ['usr/lib/systemd/system/okpay-portal.service', 'usr/lib/systemd/system/okpay-portal.socket',
      'usr/lib/sysusers.d/okpay.conf', 'etc/logrotate.d/okpay', 'etc/default/okpay', 'etc/nginx/sites-available/okpay',
      'etc/nginx/snippets/okpay/okpay-server.conf', 'etc/nginx/snippets/okpay/okpay-maps.conf',
      'etc/nginx/snippets/okpay/security-headers.conf', 'etc/nginx/snippets/okpay/portal-headers.conf',
      'etc/nginx/snippets/okpay/fastcgi.conf', 'usr/share/okpay/search.db', 'usr/share/okpay/content/ui.conf',
      'usr/share/okpay/theme/templates/account-login.html', 'usr/share/okpay/theme/assets/site.css',
      'usr/share/okpay/site/zh/index.html', 'usr/share/okpay/site/404.html', 'usr/share/doc/okpay/operations.md']) {
      assert.equal(mode(p), 0o644, p);
    }
    assert.ok(fs.statSync(path.join(dest, 'var/log/nginx/okpay')).isDirectory());
    // Every page of the built site is there.
    assert.deepEqual(h.htmlFiles(path.join(dest, 'usr/share/okpay/site')), h.htmlFiles(site));
    // The nginx site names the installed paths, not the checkout's.
    const conf = fs.readFileSync(path.join(dest, 'etc/nginx/sites-available/okpay'), 'utf8');
    assert.match(conf, /include \/etc\/nginx\/snippets\/okpay\/okpay-server\.conf;/);
    assert.match(conf, /listen 443 ssl http2;/);
    assert.match(conf, /return 301 https:\/\/\$host\$request_uri;/);
    const server = fs.readFileSync(path.join(dest, 'etc/nginx/snippets/okpay/okpay-server.conf'), 'utf8');
    assert.match(server, /^root \/usr\/share\/okpay\/site;$/m);
    assert.doesNotMatch(server + conf, new RegExp(h.ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('a second install keeps the admin\'s nginx site and settings and puts the new site file beside them', () => {
    const siteFile = path.join(dest, 'etc/nginx/sites-available/okpay');
    const defaults = path.join(dest, 'etc/default/okpay');
    fs.appendFileSync(siteFile, '# edited by the admin\n');
    fs.appendFileSync(defaults, 'OKPAY_WORKERS=8\n');
    const r = spawnSync('make', ['--no-print-directory', 'install-files', `DESTDIR=${dest}`, 'PREFIX=/usr',
      `INSTALL_BIN=${path.dirname(h.PORTAL)}`, `INSTALL_SITE=${site}`,
      `INSTALL_SEARCH_DB=${path.join(path.dirname(site), 'search.db')}`], { cwd: h.ROOT, encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(fs.readFileSync(siteFile, 'utf8'), /# edited by the admin/);
    assert.match(fs.readFileSync(defaults, 'utf8'), /OKPAY_WORKERS=8/);
    assert.ok(fs.existsSync(`${siteFile}.dist`));
  });

  it('the service unit is hardened and every path it names is installed', () => {
    const s = unit.Service;
    const want = {
      NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes',
      LockPersonality: 'yes', MemoryDenyWriteExecute: 'yes', SystemCallArchitectures: 'native', UMask: '0077',
      CapabilityBoundingSet: '', StateDirectory: 'okpay', LogsDirectory: 'okpay', User: 'okpay', RestrictSUIDSGID: 'yes',
    };
    for (const [k, v] of Object.entries(want)) assert.deepEqual(s[k], [v], k);
    assert.deepEqual(s.SystemCallFilter, ['@system-service', '~@privileged @resources']);
    assert.match(s.RestrictAddressFamilies[0], /^AF_UNIX\b/);
    const argv = s.ExecStart[0].split(/\s+/);
    assert.equal(argv[0], '/usr/sbin/okpay-portal');
    assert.ok(fs.statSync(path.join(dest, argv[0])).mode & 0o111, 'ExecStart is an installed executable');
    // Read-only paths are in the tree; writable ones are under the State/Logs directories.
    for (let i = 1; i < argv.length; i += 2) {
      const v = argv[i + 1];
      if (v.startsWith('/usr/')) assert.ok(fs.existsSync(path.join(dest, v)), `${argv[i]} ${v} is installed`);
      else assert.match(v, /^\/var\/(lib|log)\/okpay\//, `${argv[i]} ${v} is in StateDirectory or LogsDirectory`);
    }
    const sock = parseUnit(fs.readFileSync(path.join(dest, 'usr/lib/systemd/system/okpay-portal.socket'), 'utf8')).Socket;
    assert.deepEqual(sock.SocketGroup, ['www-data']);
    assert.deepEqual(sock.SocketMode, ['0660']);
    const fcgi = fs.readFileSync(path.join(dest, 'etc/nginx/snippets/okpay/fastcgi.conf'), 'utf8');
    assert.match(fcgi, new RegExp(`fastcgi_pass unix:${sock.ListenStream[0]};`), 'nginx connects to the socket unit');
    // logrotate rotates the logs nginx and the portal write.
    const rot = fs.readFileSync(path.join(dest, 'etc/logrotate.d/okpay'), 'utf8');
    const conf = fs.readFileSync(path.join(dest, 'etc/nginx/sites-available/okpay'), 'utf8');
    for (const m of conf.matchAll(/(?:access|error)_log (\S+);/g)) assert.ok(rot.includes(`${path.dirname(m[1])}/*.log`), m[1]);
    assert.ok(rot.includes(argv[argv.indexOf('--log') + 1]), 'the portal log');
  });

  it('systemd-analyze verify accepts the units', () => {
    assert.ok(has('systemd-analyze'), 'systemd-analyze (Debian package systemd, in PKGS_TEST)');
    // verify checks that ExecStart exists: point it at the DESTDIR copy.
    const dir = h.tmpdir('units');
    for (const f of ['okpay-portal.service', 'okpay-portal.socket']) {
      const text = fs.readFileSync(path.join(dest, 'usr/lib/systemd/system', f), 'utf8');
      fs.writeFileSync(path.join(dir, f), text.replace(/ExecStart=\/usr\//, `ExecStart=${dest}/usr/`));
    }
    const r = spawnSync('systemd-analyze', ['verify', path.join(dir, 'okpay-portal.service'), path.join(dir, 'okpay-portal.socket')], { encoding: 'utf8', timeout: 30000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('serves HTTPS with HSTS and CSP on static and portal pages, and redirects HTTP', async () => {
    const t0 = Date.now();
    httpPort = await h.freePort();
    httpsPort = await h.freePort();
    const cert = path.join(run, 'cert.pem');
    const key = path.join(run, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const sockPath = path.join(run, 'portal.sock');
    for (const d of ['state', 'log', 'nginx-log', 'nginx']) fs.mkdirSync(path.join(run, d), { recursive: true });
    execFileSync('sh', [path.join(h.ROOT, 'nginx/render-https.sh'), path.join(run, 'okpay.conf'), path.join(run, 'snippets')], {
      env: {
        ...process.env, OKPAY_SITE: path.join(dest, 'usr/share/okpay/site'), OKPAY_SNIPPETS: path.join(run, 'snippets'),
        OKPAY_FCGI: sockPath, OKPAY_NGINX_LOG_DIR: path.join(run, 'nginx-log'), OKPAY_CERT: cert, OKPAY_CERT_KEY: key,
        OKPAY_LISTEN_HTTP: `127.0.0.1:${httpPort}`, OKPAY_LISTEN_HTTPS: `127.0.0.1:${httpsPort}`, OKPAY_SERVER_NAME: '127.0.0.1',
      },
    });
    const v = path.join(run, 'nginx');
    fs.writeFileSync(path.join(run, 'nginx.conf'), `${process.getuid() === 0 ? 'user root;' : ''}
daemon off; worker_processes 1; pid ${v}/nginx.pid; error_log ${v}/error.log warn;
events { worker_connections 64; }
http {
  include ${h.ROOT}/nginx/mime.types; default_type application/octet-stream;
  client_body_temp_path ${v}/body; fastcgi_temp_path ${v}/fastcgi; proxy_temp_path ${v}/proxy;
  uwsgi_temp_path ${v}/uwsgi; scgi_temp_path ${v}/scgi;
  include ${run}/okpay.conf;
}
`);
    // The portal as the unit starts it: its ExecStart, paths moved into this test's directories.
    const argv = unit.Service.ExecStart[0].split(/\s+/).map((a) => a
      .replace(/^\/var\/lib\/okpay/, path.join(run, 'state'))
      .replace(/^\/var\/log\/okpay/, path.join(run, 'log'))
      .replace(/^\/usr\//, `${dest}/usr/`));
    argv.push('--base-url', `https://127.0.0.1:${httpsPort}`);
    // Socket activation as systemd does it (package systemd, in PKGS_TEST), not a fallback.
    assert.ok(has('systemd-socket-activate'), 'systemd-socket-activate (Debian package systemd)');
    portal = spawn('systemd-socket-activate', ['-l', sockPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let perr = '';
    portal.stderr.on('data', (d) => { perr += d; });
    while (!fs.existsSync(sockPath)) {
      assert.equal(portal.exitCode, null, `portal exited: ${perr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    nginx = spawn('nginx', ['-c', path.join(run, 'nginx.conf'), '-p', v], { stdio: ['ignore', 'ignore', 'pipe'] });
    let nerr = '';
    nginx.stderr.on('data', (d) => { nerr += d; });
    await h.waitForPort(httpsPort).catch((e) => { throw new Error(`${e.message}: ${nerr}`); });

    const pages = {
      static: '/zh/',
      asset: `/assets/${fs.readdirSync(path.join(site, 'assets')).find((f) => f.endsWith('.css'))}`,
      notFound: '/zh/no-such-page/',
      portal: '/zh/account/login',
      portalEn: '/en/account/register',
    };
    for (const [what, p] of Object.entries(pages)) {
      const r = await get(httpsPort, p);
      assert.equal(r.status, what === 'notFound' ? 404 : 200, `${what} ${p}: ${r.status} ${perr}`);
      assert.equal(r.headers['strict-transport-security'], HSTS, `HSTS on ${what}`);
      assert.match(r.headers['content-security-policy'] || '', /default-src 'self'/, `CSP on ${what}`);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', `nosniff on ${what}`);
    }
    const login = await get(httpsPort, pages.portal);
    assert.match(login.text, /<form[^>]*action="\/zh\/account\/login"/);
    assert.match(login.headers['cache-control'], /no-store/);
    // The portal knows it is behind HTTPS: its cookies are __Host- and Secure.
    assert.ok((login.headers['set-cookie'] || []).every((c) => /; Secure/.test(c) && c.startsWith('__Host-')), String(login.headers['set-cookie']));
    assert.match(perr, /on the socket from systemd/);

    const plain = await get(httpPort, '/zh/account/login?next=%2Fzh%2F', { tlsOn: false });
    assert.equal(plain.status, 301);
    assert.equal(plain.headers.location, `https://127.0.0.1:${httpsPort}/zh/account/login?next=%2Fzh%2F`);
    assert.equal(plain.headers['strict-transport-security'], undefined, 'no HSTS over plain HTTP');

    // HTTP/2 offered by ALPN, TLS 1.2 or 1.3 only.
    const proto = await new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: httpsPort, rejectUnauthorized: false, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
        resolve({ alpn: s.alpnProtocol, version: s.getProtocol() });
        s.end();
      });
      s.on('error', reject);
    });
    assert.equal(proto.alpn, 'h2');
    assert.match(proto.version, /^TLSv1\.[23]$/);
    const old = await new Promise((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: httpsPort, rejectUnauthorized: false, minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }, () => { resolve('connected'); s.end(); });
      s.on('error', () => resolve('refused'));
    });
    assert.equal(old, 'refused', 'TLS 1.1 is refused');
    // nginx wrote the logs logrotate rotates.
    assert.ok(fs.existsSync(path.join(run, 'nginx-log', 'access.log')));
    console.log(`https with the installed portal: ${Date.now() - t0} ms (socket activation)`);
  });
});

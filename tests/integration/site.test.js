// The help center over HTTP: the real site-gen output served by the real nginx.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');

const get = (base, p, opts = {}) => fetch(base + p, { redirect: 'manual', ...opts });

describe('help center served by nginx', () => {
  let site, srv, content;

  before(async () => {
    // A copy of the real content with one alias added, to see the redirect work.
    content = path.join(h.tmpdir('content'), 'content');
    h.copyTree(path.join(h.ROOT, 'content'), content);
    const f = path.join(content, 'zh/login/forgot-password.md');
    const src = fs.readFileSync(f, 'utf8').replace(/^updated:/m, 'aliases: [/zh/old/reset-password.html, /help/forgot/]\nupdated:');
    fs.writeFileSync(f, src);
    site = h.buildSite({ content });
    srv = await h.startNginx(site, { extraHeaders: ['LinkChecker "allow"'] });
  });
  after(async () => { if (srv) await srv.stop(); });

  it('redirects / to the Chinese home page', async () => {
    const r = await get(srv.base, '/');
    assert.equal(r.status, 302);
    assert.equal(r.headers.get('location'), '/zh/');
  });

  it('serves both home pages as UTF-8 HTML in their language', async () => {
    for (const [l, lang, title] of [['zh', 'zh-CN', 'OKpay 帮助中心'], ['en', 'en', 'OKpay Help Center']]) {
      const r = await get(srv.base, `/${l}/`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      const body = await r.text();
      assert.match(body, new RegExp(`<html lang="${lang}">`));
      assert.ok(body.includes(title), `${l} home names the site`);
    }
  });

  it('sends the security headers on pages, assets and errors', async () => {
    for (const p of ['/zh/', '/en/security/', '/zh/no-such-page/']) {
      const r = await get(srv.base, p);
      const csp = r.headers.get('content-security-policy');
      assert.ok(csp && csp.includes("default-src 'self'") && csp.includes("frame-ancestors 'none'"), `${p}: CSP`);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', `${p}: nosniff`);
      assert.ok(r.headers.get('referrer-policy'), `${p}: Referrer-Policy`);
      assert.ok(r.headers.get('permissions-policy'), `${p}: Permissions-Policy`);
    }
  });

  it('caches hashed assets for a year and HTML briefly', async () => {
    const html = await (await get(srv.base, '/zh/')).text();
    const css = html.match(/href="(\/assets\/site\.[0-9a-f]{8}\.css)"/);
    assert.ok(css, 'page links a content-hashed stylesheet');
    const a = await get(srv.base, css[1]);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.match(a.headers.get('cache-control'), /max-age=31536000.*immutable/);
    assert.ok(a.headers.get('content-security-policy'), 'assets keep the security headers');
    const p = await get(srv.base, '/zh/');
    assert.equal(p.headers.get('cache-control'), 'max-age=300');
  });

  it('compresses text with gzip', async () => {
    const r = await get(srv.base, '/zh/payments/send-money/', { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.headers.get('content-encoding'), 'gzip');
  });

  it('answers missing pages with the 404 page of their locale', async () => {
    const zh = await get(srv.base, '/zh/no-such-page/');
    assert.equal(zh.status, 404);
    assert.ok((await zh.text()).includes('找不到这个页面'));
    const en = await get(srv.base, '/en/no-such-page/');
    assert.equal(en.status, 404);
    assert.ok((await en.text()).includes('Page not found'));
  });

  it('redirects a page without its trailing slash', async () => {
    const r = await get(srv.base, '/zh/login');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/zh/login/');
  });

  it('redirects article aliases permanently to the article', async () => {
    for (const old of ['/zh/old/reset-password.html', '/help/forgot/']) {
      const r = await get(srv.base, old);
      assert.equal(r.status, 301, old);
      assert.equal(r.headers.get('location'), '/zh/login/forgot-password/');
    }
  });

  it('hides the generator\'s redirect files', async () => {
    assert.equal((await get(srv.base, '/_redirects.map')).status, 404);
    assert.equal((await get(srv.base, '/_redirects')).status, 404);
  });

  it('serves the feeds, the sitemap and robots.txt with their types', async () => {
    const feed = await get(srv.base, '/en/feed.xml');
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get('content-type'), /^application\/atom\+xml/);
    assert.match(await feed.text(), /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    const sm = await get(srv.base, '/sitemap.xml');
    assert.equal(sm.status, 200);
    const xml = await sm.text();
    assert.ok(xml.includes('/zh/payments/send-money/') && xml.includes('/en/payments/send-money/'));
    assert.ok(xml.includes('hreflang="en"'));
    const robots = await (await get(srv.base, '/robots.txt')).text();
    assert.match(robots, /Sitemap: http/);
  });

  it('gives every page a language switch that leads to a page that exists', async () => {
    // Every page but the 404 pages and the redirect stubs left at old (alias) addresses.
    const files = h.htmlFiles(site).filter((f) => /^(zh|en)\//.test(f) && !f.endsWith('404.html') &&
      !fs.readFileSync(path.join(site, f), 'utf8').includes('http-equiv="refresh"'));
    assert.ok(files.length >= 85, `expected the whole site, got ${files.length} pages`);
    for (const f of files) {
      const url = '/' + f.replace(/index\.html$/, '');
      const body = await (await get(srv.base, url)).text();
      const m = body.match(/<a class="lang-switch" href="([^"]+)" hreflang="([^"]+)"/);
      assert.ok(m, `${url} has a language switch`);
      assert.notEqual(m[1].slice(0, 4), url.slice(0, 4), `${url}: switch changes the locale`);
      const r = await get(srv.base, m[1]);
      assert.equal(r.status, 200, `${url} switches to ${m[1]}`);
    }
  });

  it('pairs translations and declares them with hreflang', async () => {
    const body = await (await get(srv.base, '/zh/security/two-step-verification/')).text();
    assert.match(body, /<link rel="alternate" hreflang="en" href="http:\/\/127\.0\.0\.1:8080\/en\/security\/two-step-verification\/">/);
    assert.match(body, /<a class="lang-switch" href="\/en\/security\/two-step-verification\/"/);
    assert.match(body, /<link rel="canonical" href="http:\/\/127\.0\.0\.1:8080\/zh\/security\/two-step-verification\/">/);
  });

  it('renders structured data, Open Graph tags, breadcrumbs and a table of contents', async () => {
    const body = await (await get(srv.base, '/en/payments/send-money/')).text();
    const ld = body.match(/<script type="application\/ld\+json">(.*?)<\/script>/s);
    assert.ok(ld, 'has JSON-LD');
    const data = JSON.parse(ld[1]);
    assert.deepEqual(data.map((d) => d['@type']), ['BreadcrumbList', 'Article']);
    assert.equal(data[0].itemListElement.length, 3);
    assert.match(body, /<meta property="og:type" content="article">/);
    assert.match(body, /<nav class="toc"/);
    // Every TOC entry points at a heading that exists on the page.
    const ids = [...body.matchAll(/<li class="toc-level-\d"><a href="#([^"]+)">/g)].map((m) => decodeURIComponent(m[1]));
    assert.ok(ids.length >= 2);
    for (const id of ids) assert.ok(body.includes(` id="${id}"`), `heading #${id} exists`);
    assert.match(body, /<form class="feedback" method="post" action="\/en\/feedback">/);
  });

  it('keeps portal paths for the FastCGI service', async () => {
    // No service runs in this test: nginx answers 502 from the reserved location, not 404.
    const r = await get(srv.base, '/zh/account/login');
    assert.equal(r.status, 502);
  });

  it('passes tidy on every generated page', () => {
    // Debian's tidy 5.6 predates ARIA 1.1's aria-current; that warning alone is allowed.
    const allowed = /proprietary attribute "aria-current"/;
    const problems = [];
    for (const f of h.htmlFiles(site)) {
      const r = spawnSync('tidy', ['-errors', '-quiet', path.join(site, f)], { encoding: 'utf8' });
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !allowed.test(l));
      if (r.status >= 2 || lines.length) problems.push(`${f}:\n${lines.join('\n')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('has no broken links according to linkchecker', () => {
    const rc = path.join(h.tmpdir('linkchecker'), 'linkcheckerrc');
    fs.writeFileSync(rc, [
      '[checking]', 'maxrequestspersecond=1000', 'threads=8',
      '[filtering]', 'ignore=',
      // Mail addresses would need DNS; portal pages belong to the FastCGI service.
      '  ^mailto:', '  /(zh|en)/(account|support|feedback|search)',
      '',
    ].join('\n'));
    const r = spawnSync('linkchecker', ['-f', rc, '--no-status', '--recursion-level=10',
      srv.base + '/zh/', srv.base + '/en/'], { encoding: 'utf8', timeout: 120000 });
    assert.equal(r.status, 0, `linkchecker found problems:\n${r.stdout}\n${r.stderr}`);
    const m = r.stdout.match(/(\d+) links in (\d+) URLs checked/);
    assert.ok(m && Number(m[2]) >= 150, `linkchecker crawled the site: ${m && m[0]}`);
  });
});

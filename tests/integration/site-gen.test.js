// site-gen as writers use it: errors name file and line and keep the old site; watch mode.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');

function fixture() {
  const dir = h.tmpdir('sg');
  const content = h.copyTree(path.join(h.ROOT, 'content'), path.join(dir, 'content'));
  return { dir, content, out: path.join(dir, 'site') };
}

function gen(fx, extra = []) {
  return h.siteGen(['--content', fx.content, '--theme', path.join(h.ROOT, 'theme'), '--out', fx.out, '--quiet', ...extra]);
}

function edit(fx, rel, fn) {
  const f = path.join(fx.content, rel);
  fs.writeFileSync(f, fn(fs.readFileSync(f, 'utf8')));
}

describe('site-gen build errors', () => {
  const cases = [
    ['a missing required key', 'zh/login/faq.md', (s) => s.replace(/^summary:.*\n/m, ''), /zh\/login\/faq\.md:1: missing required key 'summary'/],
    ['an unknown key', 'en/login/faq.md', (s) => s.replace(/^order:/m, 'author: me\norder:'), /en\/login\/faq\.md:\d+: unknown key 'author'/],
    ['a bad date', 'zh/security/faq.md', (s) => s.replace(/^updated:.*$/m, 'updated: 2026-02-30'), /zh\/security\/faq\.md:\d+: updated must be a real date/],
    ['raw HTML', 'en/payments/faq.md', (s) => s + '\n<div class="x">hi</div>\n', /en\/payments\/faq\.md:\d+: raw HTML is not allowed/],
    ['a broken link', 'zh/payments/faq.md', (s) => s + '\n[坏链接](../nowhere/missing.md)\n', /zh\/payments\/faq\.md:\d+: link target \.\.\/nowhere\/missing\.md does not exist/],
    ['a broken anchor', 'en/payments/faq.md', (s) => s + '\n[x](send-money.md#no-such-heading)\n', /en\/payments\/faq\.md:\d+: no heading with id '#no-such-heading'/],
    ['an unknown category', 'en/security/faq.md', (s) => s.replace(/^category:.*$/m, 'category: nowhere'), /en\/security\/faq\.md:\d+: unknown category 'nowhere'/],
  ];

  for (const [what, rel, change, message] of cases) {
    it(`fails on ${what} with path:line and keeps the previous site`, () => {
      const fx = fixture();
      assert.equal(gen(fx).status, 0);
      const page = path.join(fx.out, 'zh/index.html');
      const before = fs.readFileSync(page, 'utf8');
      const mtime = fs.statSync(page).mtimeMs;
      edit(fx, rel, change);
      const r = gen(fx);
      assert.equal(r.status, 1, `exit status for ${what}`);
      assert.match(r.stderr, message);
      assert.equal(fs.readFileSync(page, 'utf8'), before);
      assert.equal(fs.statSync(page).mtimeMs, mtime, 'previous output untouched');
      assert.deepEqual(fs.readdirSync(fx.dir).filter((n) => n.includes('.tmp')), [], 'no temporary directory left');
    });
  }

  it('reports the line of the offending Markdown, counting the front matter', () => {
    const fx = fixture();
    const f = path.join(fx.content, 'zh/login/faq.md');
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    lines.push('', '<br>');
    fs.writeFileSync(f, lines.join('\n'));
    const r = gen(fx);
    assert.match(r.stderr, new RegExp(`zh/login/faq\\.md:${lines.length}: raw HTML`));
  });

  it('warns about a missing translation and switches to the other locale\'s category page', () => {
    const fx = fixture();
    fs.unlinkSync(path.join(fx.content, 'en/security/device-and-wifi-safety.md'));
    // English links to the removed article become plain text (they would rightly fail the build).
    for (const dir of fs.readdirSync(path.join(fx.content, 'en'))) {
      if (!fs.statSync(path.join(fx.content, 'en', dir)).isDirectory()) continue;
      for (const f of fs.readdirSync(path.join(fx.content, 'en', dir))) {
        edit(fx, `en/${dir}/${f}`, (s) => s.replace(/\[([^\]]*)\]\([^)]*device-and-wifi-safety\.md[^)]*\)/g, '$1'));
      }
    }
    const r = h.siteGen(['--content', fx.content, '--theme', path.join(h.ROOT, 'theme'), '--out', fx.out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /zh\/security\/device-and-wifi-safety\.md: warning: no en translation/);
    assert.match(r.stderr, /1 warning/);
    const page = fs.readFileSync(path.join(fx.out, 'zh/security/device-and-wifi-safety/index.html'), 'utf8');
    assert.match(page, /<a class="lang-switch" href="\/en\/security\/"/);
    assert.ok(!page.includes('hreflang="en" href="http'), 'no alternate for a translation that does not exist');
  });

  it('drops the page of a deleted article on the next full build', () => {
    const fx = fixture();
    // Two builds first, so that the third writes into the spare tree left by the first.
    assert.equal(gen(fx).status, 0);
    assert.equal(gen(fx).status, 0);
    fs.writeFileSync(path.join(fx.content, 'en/login/short-lived.md'),
      '---\ntitle: Short-lived\nsummary: Soon gone.\ncategory: login\norder: 70\ntags: [x]\nupdated: 2026-11-01\n---\n\nText.\n');
    assert.equal(gen(fx).status, 0);
    assert.equal(gen(fx).status, 0);
    assert.ok(fs.existsSync(path.join(fx.out, 'en/login/short-lived/index.html')));
    fs.unlinkSync(path.join(fx.content, 'en/login/short-lived.md'));
    assert.equal(gen(fx).status, 0);
    assert.ok(!fs.existsSync(path.join(fx.out, 'en/login/short-lived')), 'page and its directory are gone');
    assert.equal(gen(fx).status, 0);
    assert.ok(!fs.existsSync(path.join(fx.out, 'en/login/short-lived')), 'and stay gone');
    assert.ok(!fs.existsSync(path.join(fx.out, '.stamp')), 'no build bookkeeping is published');
  });

  it('does not publish drafts', () => {
    const fx = fixture();
    fs.writeFileSync(path.join(fx.content, 'en/login/draft-note.md'),
      '---\ntitle: Draft\nsummary: Not yet.\ncategory: login\norder: 50\ntags: [x]\nupdated: 2026-11-01\ndraft: true\n---\n\nSoon.\n');
    const r = gen(fx);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!fs.existsSync(path.join(fx.out, 'en/login/draft-note')));
    assert.ok(!fs.readFileSync(path.join(fx.out, 'en/login/index.html'), 'utf8').includes('draft-note'));
  });

  it('prints a one-line summary', () => {
    const fx = fixture();
    const r = h.siteGen(['--content', fx.content, '--theme', path.join(h.ROOT, 'theme'), '--out', fx.out]);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /site-gen: \d+ pages \(\d+ articles\) in [\d.]+ s/);
  });
});

describe('site-gen --watch', () => {
  let fx, proc, lines = [];
  const waitLine = (re, ms = 5000) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const i = lines.findIndex((l) => re.test(l));
      if (i >= 0) return resolve(lines.splice(0, i + 1).pop());
      if (Date.now() - t0 > ms) return reject(new Error(`no line matching ${re}; got ${lines.join(' | ')}`));
      setTimeout(tick, 5);
    };
    tick();
  });

  before(async () => {
    fx = fixture();
    proc = spawn(h.SITE_GEN, ['--content', fx.content, '--theme', path.join(h.ROOT, 'theme'), '--out', fx.out, '--watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop();
      lines.push(...parts);
    });
    proc.stderr.on('data', (d) => lines.push(...String(d).split('\n').filter(Boolean)));
    await waitLine(/watching/);
  });
  after(() => proc && proc.kill('SIGTERM'));

  it('puts an edited article live in under 200 ms', async () => {
    const page = path.join(fx.out, 'en/login/faq/index.html');
    const t0 = process.hrtime.bigint();
    edit(fx, 'en/login/faq.md', (s) => s.replace(/^title:.*$/m, 'title: Login questions, edited'));
    while (!fs.readFileSync(page, 'utf8').includes('Login questions, edited')) {
      if (process.hrtime.bigint() - t0 > 2_000_000_000n) assert.fail('page not rebuilt within 2 s');
      await new Promise((r) => setTimeout(r, 2));
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 200, `live after ${ms.toFixed(1)} ms`);
    const line = await waitLine(/rebuilt/);
    assert.match(line, /en\/login\/faq\.md: rebuilt \d+ article pages? in [\d.]+ ms/);
    // The category page lists the new title too.
    assert.ok(fs.readFileSync(path.join(fx.out, 'en/login/index.html'), 'utf8').includes('Login questions, edited'));
  });

  it('reports an error and keeps the page, then recovers when it is fixed', async () => {
    const page = path.join(fx.out, 'zh/login/faq/index.html');
    const before = fs.readFileSync(page, 'utf8');
    edit(fx, 'zh/login/faq.md', (s) => s.replace(/^order:.*$/m, 'order: first'));
    const err = await waitLine(/zh\/login\/faq\.md:\d+: order must be a whole number/);
    assert.ok(err);
    await waitLine(/error/);
    assert.equal(fs.readFileSync(page, 'utf8'), before);
    edit(fx, 'zh/login/faq.md', (s) => s.replace(/^order: first$/m, 'order: 99').replace(/^title:.*$/m, 'title: 登录常见问题（已修改）'));
    await waitLine(/rebuilt/);
    assert.ok(fs.readFileSync(page, 'utf8').includes('登录常见问题（已修改）'));
  });

  it('publishes a new article and removes a deleted one', async () => {
    fs.writeFileSync(path.join(fx.content, 'en/login/new-page.md'),
      '---\ntitle: Brand new\nsummary: New.\ncategory: login\norder: 60\ntags: [login]\nupdated: 2026-11-02\n---\n\n## Hello\n\nText.\n');
    await waitLine(/new-page\.md: rebuilt/);
    assert.ok(fs.existsSync(path.join(fx.out, 'en/login/new-page/index.html')));
    fs.unlinkSync(path.join(fx.content, 'en/login/new-page.md'));
    await waitLine(/new-page\.md: rebuilt/);
    assert.ok(!fs.existsSync(path.join(fx.out, 'en/login/new-page/index.html')));
  });
});

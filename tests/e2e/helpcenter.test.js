// The help center in a real browser: the journey of someone looking for help, found by role and
// accessible name as a person (or a screen reader) would find things, with axe-core on every page,
// the site's CSP enforced, and screenshots for humans in build/e2e-screenshots/.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, buildSite, startNginx } = require('../lib/harness.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible, screenshot,
} = require('./lib/browser.js');

const SHOTS = path.join(ROOT, 'build', 'e2e-screenshots');
const MISSING = ['/zh/no-such-page/', '/en/no-such-page/'];

describe('help center in a browser', () => {
  let site;
  let server;
  let browser;
  let context; // bypasses CSP, only so that axe can be injected
  let page;
  let watch;
  const visited = new Set(); // paths the journey reached, revisited with CSP enforced

  const heading = (p, name, level = 1) => p.getByRole('heading', { level, name, exact: true });
  const mainNav = (p) => p.getByRole('navigation', { name: /^(主导航|Main navigation)$/ });

  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`not visible: ${what}`);
    });
  }

  // Wait until the page has loaded everything (icons referenced by <use> load after 'load'),
  // so that leaving it does not abort requests and count as failures.
  const settle = (p) => p.waitForLoadState('networkidle', { timeout: 10000 });

  async function arrive(p, pathname) {
    await p.waitForURL((u) => u.pathname === pathname, { timeout: 5000 });
    await settle(p);
    visited.add(pathname);
  }

  before(async () => {
    site = buildSite();
    server = await startNginx(site);
    browser = await launchBrowser();
    context = await newA11yContext(browser);
    page = await context.newPage();
    // The deliberate 404 pages are the only error responses allowed.
    watch = await watchPage(page, {
      allowStatus: (res) => res.status() === 404 && MISSING.includes(new URL(res.url()).pathname),
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
    for (const dir of [site && path.dirname(site), server && server.varDir]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens the site root and lands on the Chinese home page', async () => {
    const res = await page.goto(`${server.base}/`);
    await arrive(page, '/zh/');
    const first = res.request().redirectedFrom();
    assert.ok(first, 'the root redirects');
    assert.equal(new URL(first.url()).pathname, '/');
    assert.equal((await first.response()).status(), 302);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await visible(heading(page, '你好，需要什么帮助？'), 'home heading');
    await visible(page.getByRole('search').getByLabel('搜索帮助文章'), 'search box');
    await assertAccessible(page, '/zh/');
  });

  it('opens the category "转账与收款" from its card', async () => {
    await page.getByRole('link', { name: '转账与收款', exact: true }).click();
    await arrive(page, '/zh/payments/');
    await visible(heading(page, '转账与收款'), 'category heading');
    await assertAccessible(page, '/zh/payments/');
  });

  it('opens the article "如何转账": contents, breadcrumbs, feedback form', async () => {
    await page.getByRole('main').getByRole('link', { name: '如何转账', exact: true }).click();
    await arrive(page, '/zh/payments/send-money/');
    await visible(heading(page, '如何转账'), 'article heading');

    const crumbs = page.getByRole('navigation', { name: '面包屑导航' });
    await visible(crumbs, 'breadcrumbs');
    assert.equal(await crumbs.getByRole('link', { name: '首页' }).getAttribute('href'), '/zh/');
    assert.equal(await crumbs.getByRole('link', { name: '转账与收款' }).getAttribute('href'), '/zh/payments/');
    assert.equal(await crumbs.locator('[aria-current="page"]').innerText(), '如何转账');

    const toc = page.getByRole('navigation', { name: '本页内容' });
    await visible(toc, 'table of contents');
    const links = await toc.getByRole('link').all();
    assert.ok(links.length >= 2, `the contents list has ${links.length} links`);
    for (const link of links) {
      const href = await link.getAttribute('href');
      assert.match(href, /^#./, `contents link ${href} points into the page`);
      const id = decodeURIComponent(href.slice(1));
      const target = await page.evaluate((i) => {
        const el = document.getElementById(i);
        return el && { tag: el.tagName, text: el.textContent.trim() };
      }, id);
      assert.ok(target, `contents link ${href} has a target`);
      assert.match(target.tag, /^H[2-6]$/, `contents link ${href} jumps to a heading`);
      assert.equal(target.text, (await link.innerText()).trim(), `contents link ${href} is named after its heading`);
    }

    // Jump to the second section, as a reader would.
    const jump = links[1];
    const id = decodeURIComponent((await jump.getAttribute('href')).slice(1));
    await jump.click();
    await page.waitForFunction((i) => decodeURIComponent(location.hash.slice(1)) === i, id, { timeout: 5000 });
    assert.equal(decodeURIComponent(new URL(page.url()).hash.slice(1)), id);
    assert.ok(await page.evaluate((i) => !!document.getElementById(i), id), `#${id} exists`);
    // The theme scrolls smoothly: wait until the section has arrived at the top of the viewport.
    const arrived = await page.waitForFunction((i) => {
      const top = document.getElementById(i).getBoundingClientRect().top;
      return top >= -1 && top < 100 && document.querySelector(':target') === document.getElementById(i);
    }, id, { timeout: 5000 }).then(() => true, () => false);
    const top = await page.evaluate((i) => document.getElementById(i).getBoundingClientRect().top, id);
    assert.ok(arrived, `#${id} is scrolled to the top of the viewport and is :target (top ${top})`);

    const feedback = page.getByRole('group', { name: '这篇文章对你有帮助吗？' });
    await visible(feedback, 'feedback form');
    await visible(feedback.getByRole('radio', { name: '有帮助', exact: true }), 'yes choice');
    await visible(feedback.getByRole('radio', { name: '没有帮助', exact: true }), 'no choice');
    await visible(feedback.getByRole('button', { name: '提交反馈' }), 'submit button');

    await assertAccessible(page, '/zh/payments/send-money/');
  });

  it('switches the article to English and back', async () => {
    await mainNav(page).getByRole('link', { name: 'English', exact: true }).click();
    await arrive(page, '/en/payments/send-money/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await visible(heading(page, 'How to send money'), 'English article heading');
    await assertAccessible(page, '/en/payments/send-money/');

    await mainNav(page).getByRole('link', { name: '中文', exact: true }).click();
    await arrive(page, '/zh/payments/send-money/');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await visible(heading(page, '如何转账'), 'Chinese article heading');
  });

  it('English home, contact pages and the 404 pages pass axe too', async () => {
    const pages = [
      { path: '/en/', status: 200, h1: 'Hi, how can we help?', lang: 'en' },
      { path: '/zh/contact/', status: 200, h1: '联系客服', lang: 'zh-CN' },
      { path: '/en/contact/', status: 200, h1: 'Contact customer service', lang: 'en' },
      { path: MISSING[0], status: 404, h1: '找不到这个页面', lang: 'zh-CN' },
      { path: MISSING[1], status: 404, h1: 'Page not found', lang: 'en' },
    ];
    for (const p of pages) {
      const res = await page.goto(server.base + p.path);
      assert.equal(res.status(), p.status, `status of ${p.path}`);
      await arrive(page, p.path);
      assert.equal(await page.getAttribute('html', 'lang'), p.lang, `lang of ${p.path}`);
      await visible(heading(page, p.h1), `heading "${p.h1}" on ${p.path}`);
      await assertAccessible(page, p.path);
    }
  });

  it('the pages also pass axe in the dark colour scheme', async () => {
    const dark = await newA11yContext(browser, { colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      for (const u of ['/zh/', '/zh/payments/send-money/', '/en/contact/', MISSING[0]]) {
        await p.goto(server.base + u);
        await assertAccessible(p, `${u} (dark)`);
      }
    } finally {
      await dark.close();
    }
  });

  it('the journey hit no failed requests, error responses or page errors', () => {
    assert.deepEqual(watch.problems(), []);
  });

  describe('with the Content-Security-Policy enforced', () => {
    let strict;
    let sp;
    let sw;

    before(async () => {
      strict = await newStrictContext(browser);
      sp = await strict.newPage();
      sw = await watchPage(sp, {
        allowStatus: (res) => res.status() === 404 && MISSING.includes(new URL(res.url()).pathname),
      });
    });

    after(async () => {
      if (strict) await strict.close();
    });

    it('keyboard: Tab first reaches the skip link, which moves focus to main', async () => {
      await sp.goto(`${server.base}/zh/`);
      await sp.keyboard.press('Tab');
      const skip = sp.getByRole('link', { name: '跳到正文' });
      assert.ok(await skip.evaluate((el) => el === document.activeElement), 'the first Tab focuses "跳到正文"');
      await visible(skip, 'focused skip link');
      await sp.keyboard.press('Enter');
      await sp.waitForFunction(() => document.activeElement && document.activeElement.id === 'main', null, { timeout: 5000 });
      const focused = await sp.evaluate(() => document.activeElement.tagName);
      assert.equal(focused, 'MAIN');
      // The next Tab continues from main, not from the top of the page.
      await sp.keyboard.press('Tab');
      const inMain = await sp.evaluate(() => !!document.activeElement.closest('main'));
      assert.ok(inMain, 'the next Tab stays inside main');
    });

    it('no CSP violations, failed requests or page errors on any page visited', async () => {
      assert.ok(visited.size >= 8, `the journey visited ${[...visited].join(' ')}`);
      for (const u of visited) {
        const res = await sp.goto(server.base + u);
        await settle(sp);
        assert.equal(res.status(), MISSING.includes(u) ? 404 : 200, `status of ${u}`);
        // The deferred script ran: scripts from 'self' are allowed.
        assert.ok(await sp.evaluate(() => document.documentElement.classList.contains('js')), `site.js ran on ${u}`);
        // The stylesheet applied: styles from 'self' are allowed.
        const styled = await sp.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
        assert.ok(styled, `the stylesheet applied on ${u}`);
      }
      assert.deepEqual(sw.problems(), []);
    });
  });

  it('screenshots of the home page and an article at 1280px and 390px', async () => {
    const shots = await browser.newContext({ deviceScaleFactor: 1 });
    try {
      const p = await shots.newPage();
      for (const [name, u] of [['home', '/zh/'], ['article', '/zh/payments/send-money/'], ['home-en', '/en/']]) {
        for (const width of [1280, 390]) {
          await p.setViewportSize({ width, height: width > 800 ? 800 : 844 });
          await p.goto(server.base + u);
          await settle(p);
          const file = await screenshot(p, SHOTS, `${name}-${width}`);
          // Nothing sticks out sideways at either width.
          const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
          assert.ok(overflow <= 0, `${u} at ${width}px scrolls sideways by ${overflow}px (${file})`);
        }
      }
    } finally {
      await shots.close();
    }
  });
});

// Search in a real browser: the search-as-you-type suggestions of theme/assets/site.js on an
// article page (an ARIA 1.2 combobox: type, pick with the keyboard or the mouse, land on the
// article), the live region, Escape, stale answers, the form without JavaScript, and axe-core on
// the results page, the no-results page and an article with the suggestions open, in Chinese
// and English. The portal answers /{lang}/search(.json) from the index site-gen wrote next to
// the site; the CSP is enforced everywhere except where axe has to be injected.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, buildSite, startPortal } = require('../lib/harness.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible, screenshot,
} = require('./lib/browser.js');

const SHOTS = path.join(ROOT, 'build', 'e2e-screenshots');
const NOTHING = 'xyzzyplugh'; // no article contains it, in either language

const L = {
  zh: {
    article: '/zh/payments/send-money/',
    box: '搜索帮助文章',
    list: '搜索建议',
    many: /^找到 ([2-5]) 条建议，按上下方向键选择。$/,
    one: '找到 1 条建议，按下方向键选择。',
    none: '没有找到相关建议，按回车键查看搜索结果。',
    query: '忘记密码',
    target: { url: '/zh/login/forgot-password/', title: '忘记密码怎么办' },
  },
  en: {
    article: '/en/payments/send-money/',
    box: 'Search help articles',
    list: 'Search suggestions',
    many: /^([2-5]) suggestions\. Use the up and down arrow keys to choose one\.$/,
    one: '1 suggestion. Use the down arrow key to choose it.',
    none: 'No suggestions. Press Enter to see the search results.',
    query: 'forgot password',
    target: { url: '/en/login/forgot-password/', title: 'Forgot your password' },
  },
};

const isSuggest = (u) => new URL(u).pathname.endsWith('/search.json');
const suggestQuery = (u) => new URL(u).searchParams.get('q');

describe('search suggestions in a browser', () => {
  let site;
  let portal;
  let browser;
  let strict; // the site's CSP enforced
  let page;
  let watch;
  let a11y; // bypasses CSP, only so that axe can be injected

  const settle = (p) => p.waitForLoadState('networkidle', { timeout: 10000 });
  const box = (p, lang) => p.getByRole('combobox', { name: L[lang].box, exact: true });
  const listbox = (p, lang) => p.getByRole('listbox', { name: L[lang].list, exact: true });
  const status = (p) => p.locator('form.search-form [role="status"]');
  const liveText = async (p) => (await status(p).textContent()).replace(/\u00a0/g, '').trim();

  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`not visible: ${what}`);
    });
  }

  async function open(p, pathname) {
    const res = await p.goto(portal.base + pathname);
    assert.equal(res.status(), 200, `status of ${pathname}`);
    await settle(p);
  }

  // Type text into the search box the way a person does, key by key, and wait for the answer
  // to exactly that text to arrive and be shown (or announced, when there is none).
  async function typeQuery(p, lang, text) {
    const answered = p.waitForResponse((r) => isSuggest(r.url()) && suggestQuery(r.url()) === text, { timeout: 5000 });
    const b = box(p, lang);
    await b.click();
    await b.pressSequentially(text, { delay: 40 });
    const res = await answered;
    assert.equal(res.status(), 200, `status of ${res.url()}`);
    assert.match(res.headers()['content-type'], /^application\/json/);
    const json = await res.json();
    // The script shows the answer once the response is in; wait for the live region to say so.
    await p.waitForFunction(() => {
      const s = document.querySelector('form.search-form [role="status"]');
      return s && s.textContent.trim() !== '';
    }, null, { timeout: 5000 });
    return json;
  }

  before(async () => {
    site = buildSite();
    // site-gen writes the index next to the site (<out>/../search.db).
    const searchDb = path.join(path.dirname(site), 'search.db');
    assert.ok(fs.existsSync(searchDb), `site-gen wrote ${searchDb}`);
    portal = await startPortal({ siteDir: site, args: ['--search-db', searchDb] });
    browser = await launchBrowser();
    strict = await newStrictContext(browser);
    page = await strict.newPage();
    watch = await watchPage(page);
    a11y = await newA11yContext(browser);
  });

  after(async () => {
    if (browser) await browser.close();
    if (portal) await portal.stop();
    for (const dir of [site && path.dirname(site), portal && portal.dir]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const lang of ['zh', 'en']) {
    const l = L[lang];

    it(`${lang}: types "${l.query}" on an article, picks "${l.target.title}" with the keyboard and lands on it`, async () => {
      await open(page, l.article);
      const b = box(page, lang);
      await visible(b, 'the search box as a combobox');
      const list = listbox(page, lang);
      assert.equal(await b.getAttribute('aria-expanded'), 'false');
      assert.equal(await b.getAttribute('aria-autocomplete'), 'list');
      const controls = await b.getAttribute('aria-controls');
      const popup = page.locator(`[id="${controls}"]`);
      assert.equal(await popup.getAttribute('role'), 'listbox', 'aria-controls names the listbox');
      assert.equal(await popup.isVisible(), false, 'no popup before typing');

      const json = await typeQuery(page, lang, l.query);
      assert.ok(json.results.length >= 1, `the portal suggests something for ${l.query}`);
      await visible(list, 'the suggestions');
      assert.equal(await b.getAttribute('aria-expanded'), 'true');
      const options = list.getByRole('option');
      const n = await options.count();
      assert.equal(n, Math.min(5, json.results.length), 'one option per result, at most 5');
      for (let i = 0; i < n; i++) {
        const title = await options.nth(i).locator('.search-suggestion-title').textContent();
        assert.equal(title, json.results[i].title, `option ${i} shows the title of result ${i}`);
      }
      const live = await liveText(page);
      if (n === 1) assert.equal(live, l.one);
      else assert.equal(Number((live.match(l.many) || [])[1]), n, `live region says ${n}: "${live}"`);
      assert.equal(await b.getAttribute('aria-activedescendant'), null, 'no option is active yet');

      // ArrowDown until the article is the active option, as a keyboard user does.
      const want = json.results.findIndex((r) => r.url === l.target.url);
      assert.ok(want >= 0 && want < 3, `${l.target.url} is in the top 3 for ${l.query}: ${json.results.map((r) => r.url).join(' ')}`);
      for (let i = 0; i <= want; i++) await page.keyboard.press('ArrowDown');
      const active = list.getByRole('option', { selected: true });
      assert.equal(await active.count(), 1, 'exactly one option is selected');
      assert.equal(await b.getAttribute('aria-activedescendant'), await active.getAttribute('id'));
      assert.equal(await active.locator('.search-suggestion-title').textContent(), l.target.title);
      assert.ok(await b.evaluate((el) => el === document.activeElement), 'the focus stays in the box');
      // The active option is visibly marked: not the background of the others.
      const [bgActive, bgOther] = await page.evaluate((id) => {
        const a = document.getElementById(id);
        const other = [...a.parentNode.children].find((o) => o !== a);
        return [getComputedStyle(a).backgroundColor, other ? getComputedStyle(other).backgroundColor : 'none'];
      }, await active.getAttribute('id'));
      assert.notEqual(bgActive, bgOther, 'the active option looks different');

      await page.keyboard.press('Enter');
      await page.waitForURL((u) => u.pathname === l.target.url, { timeout: 5000 });
      await settle(page);
      await visible(page.getByRole('heading', { level: 1, name: l.target.title, exact: true }), `the heading of ${l.target.url}`);
    });

    it(`${lang}: Escape closes the suggestions and keeps the text; ArrowDown opens them again`, async () => {
      await open(page, l.article);
      const b = box(page, lang);
      const list = listbox(page, lang);
      await typeQuery(page, lang, l.query);
      await visible(list, 'the suggestions');
      await page.keyboard.press('ArrowDown');
      assert.notEqual(await b.getAttribute('aria-activedescendant'), null);

      await page.keyboard.press('Escape');
      await list.waitFor({ state: 'hidden', timeout: 2000 });
      assert.equal(await b.getAttribute('aria-expanded'), 'false');
      assert.equal(await b.getAttribute('aria-activedescendant'), null);
      assert.equal(await b.inputValue(), l.query, 'Escape keeps the text while the popup is open');

      // The answer is remembered: no second request for the same text.
      let asked = 0;
      const count = (r) => { if (isSuggest(r.url())) asked++; };
      page.on('request', count);
      await page.keyboard.press('ArrowDown');
      await visible(list, 'the suggestions again');
      assert.equal(await b.getAttribute('aria-expanded'), 'true');
      assert.notEqual(await b.getAttribute('aria-activedescendant'), null, 'ArrowDown also activates the first option');
      // ArrowUp from the first option wraps around to the last one.
      const n = await list.getByRole('option').count();
      await page.keyboard.press('ArrowUp');
      assert.equal(await b.getAttribute('aria-activedescendant'), await list.getByRole('option').nth(n - 1).getAttribute('id'));
      // A character typed and taken back within the debounce asks nothing new either.
      await page.keyboard.type('x');
      await page.keyboard.press('Backspace');
      await page.waitForTimeout(500);
      page.off('request', count);
      assert.equal(asked, 0, 'no request for text already answered');
      await page.keyboard.press('Escape');
      await list.waitFor({ state: 'hidden', timeout: 2000 });
    });

    it(`${lang}: Enter with no active option submits the form to the results page`, async () => {
      await open(page, l.article);
      await typeQuery(page, lang, l.query);
      await Promise.all([
        page.waitForURL((u) => u.pathname === `/${lang}/search`, { timeout: 5000 }),
        page.keyboard.press('Enter'),
      ]);
      await settle(page);
      assert.equal(new URL(page.url()).searchParams.get('q'), l.query);
      const hits = page.locator('#search-results .search-hit a.search-hit-title');
      assert.ok(await hits.count() >= 1, 'the results page lists hits');
      assert.ok((await hits.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).includes(l.target.url),
        `${l.target.url} is among the results`);
      assert.equal(await box(page, lang).inputValue(), l.query, 'the results page keeps the query in the box');
      // There, ArrowDown in the box asks for the suggestions of the query it holds.
      const answered = page.waitForResponse((r) => isSuggest(r.url()) && suggestQuery(r.url()) === l.query, { timeout: 5000 });
      await box(page, lang).focus();
      await page.keyboard.press('ArrowDown');
      await answered;
      await visible(listbox(page, lang), 'the suggestions on the results page');
      await page.keyboard.press('Escape');
    });

    it(`${lang}: the live region says when there are no suggestions`, async () => {
      await open(page, l.article);
      const json = await typeQuery(page, lang, NOTHING);
      assert.equal(json.total, 0);
      assert.deepEqual(json.results, []);
      assert.equal(await liveText(page), l.none);
      assert.equal(await listbox(page, lang).isVisible(), false, 'no empty popup');
      assert.equal(await box(page, lang).getAttribute('aria-expanded'), 'false');
      // Fewer than two characters: nothing is asked, and the popup and the announcement go.
      await box(page, lang).fill('');
      await page.keyboard.type('x');
      await page.waitForTimeout(400);
      assert.equal(await liveText(page), '');
    });
  }

  it('zh: a suggestion opens with a mouse click too', async () => {
    await open(page, '/zh/');
    const json = await typeQuery(page, 'zh', '转账');
    assert.ok(json.results.length >= 2, 'several articles mention 转账');
    const list = listbox(page, 'zh');
    await visible(list, 'the suggestions');
    const second = list.getByRole('option').nth(1);
    assert.equal(await second.locator('.search-suggestion-title').textContent(), json.results[1].title);
    await second.click();
    await page.waitForURL((u) => u.pathname === json.results[1].url, { timeout: 5000 });
    await settle(page);
    await visible(page.getByRole('heading', { level: 1, name: json.results[1].title, exact: true }), 'the article clicked');
  });

  it('an answer that arrives after a newer one is ignored', async () => {
    const p = await strict.newPage();
    const w = await watchPage(p);
    try {
      // The answer to "密码" is held back and then replaced by a marker that must never show.
      await p.route((u) => isSuggest(u.href), async (route) => {
        if (suggestQuery(route.request().url()) === '密码') {
          await new Promise((r) => setTimeout(r, 1200));
          return route.fulfill({
            status: 200,
            contentType: 'application/json; charset=utf-8',
            body: JSON.stringify({ query: '密码', total: 1, results: [{ title: 'STALE', url: '/zh/', category: 'STALE', snippet: '' }] }),
          });
        }
        return route.continue();
      });
      await open(p, L.zh.article);
      const b = box(p, 'zh');
      const first = p.waitForRequest((r) => isSuggest(r.url()) && suggestQuery(r.url()) === '密码');
      await b.click();
      await b.pressSequentially('密码', { delay: 40 });
      await first;
      const newer = p.waitForResponse((r) => isSuggest(r.url()) && suggestQuery(r.url()) === '密码 重置');
      await b.pressSequentially(' 重置', { delay: 40 });
      const json = await (await newer).json();
      assert.ok(json.results.length >= 1);
      const list = listbox(p, 'zh');
      await visible(list, 'the suggestions for the newer text');
      await p.waitForTimeout(1500); // the stale answer has arrived by now
      const titles = await list.locator('.search-suggestion-title').allTextContents();
      assert.deepEqual(titles, json.results.slice(0, 5).map((r) => r.title), 'the newer answer stays');
      assert.equal(await p.getByText('STALE').count(), 0);
      assert.deepEqual(w.problems(), []);
    } finally {
      await p.close();
    }
  });

  it('without JavaScript the box is a plain form that submits to /{lang}/search', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    try {
      const p = await ctx.newPage();
      for (const lang of ['zh', 'en']) {
        await p.goto(portal.base + L[lang].article);
        const b = p.getByRole('search').getByLabel(L[lang].box);
        assert.equal(await b.getAttribute('role'), null, 'no combobox without the script');
        await b.fill(L[lang].query);
        await Promise.all([p.waitForURL((u) => u.pathname === `/${lang}/search`, { timeout: 5000 }), b.press('Enter')]);
        assert.equal(new URL(p.url()).searchParams.get('q'), L[lang].query);
        assert.ok(await p.locator('#search-results .search-hit').count() >= 1, `results without JavaScript (${lang})`);
      }
    } finally {
      await ctx.close();
    }
  });

  it('no CSP violations, failed requests or page errors in the strict context', () => {
    assert.deepEqual(watch.problems(), []);
  });

  describe('axe-core', () => {
    let p;
    before(async () => { p = await a11y.newPage(); });

    for (const lang of ['zh', 'en']) {
      it(`${lang}: the results page and the no-results page`, async () => {
        await open(p, `/${lang}/search?q=${encodeURIComponent(L[lang].query)}`);
        assert.ok(await p.locator('#search-results .search-hit').count() >= 1, 'hits listed');
        await assertAccessible(p, `/${lang}/search?q=${L[lang].query}`);

        await open(p, `/${lang}/search?q=${NOTHING}`);
        assert.equal(await p.locator('#search-results .search-hit').count(), 0, 'no hits');
        assert.ok(await p.getByRole('main').locator(`a[href="/${lang}/contact/"]`).count() >= 1, 'the no-results page links to the contact page');
        await assertAccessible(p, `/${lang}/search?q=${NOTHING}`);
      });

      it(`${lang}: an article with the suggestions open and an option active`, async () => {
        await open(p, L[lang].article);
        await typeQuery(p, lang, L[lang].query);
        await visible(listbox(p, lang), 'the suggestions');
        await p.keyboard.press('ArrowDown');
        await p.keyboard.press('ArrowDown');
        await assertAccessible(p, `${L[lang].article} with suggestions`);
        if (lang === 'zh') await screenshot(p, SHOTS, 'search-suggestions', { fullPage: false });
      });
    }

    it('the suggestions and the results pages in the dark colour scheme', async () => {
      const dark = await newA11yContext(browser, { colorScheme: 'dark' });
      try {
        const d = await dark.newPage();
        await open(d, L.zh.article);
        await typeQuery(d, 'zh', '转账');
        await visible(listbox(d, 'zh'), 'the suggestions');
        await d.keyboard.press('ArrowDown');
        await assertAccessible(d, `${L.zh.article} with suggestions (dark)`);
        await screenshot(d, SHOTS, 'search-suggestions-dark', { fullPage: false });
        for (const u of [`/en/search?q=${encodeURIComponent(L.en.query)}`, `/zh/search?q=${NOTHING}`]) {
          await open(d, u);
          await assertAccessible(d, `${u} (dark)`);
        }
      } finally {
        await dark.close();
      }
    });
  });
});

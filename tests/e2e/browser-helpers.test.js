// The checks of lib/browser.js must be able to fail: plant an accessibility violation, a CSP
// violation and a failed request on a page served by request interception, and see them reported.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { launchBrowser, newA11yContext, newStrictContext, watchPage, checkA11y, assertAccessible } = require('./lib/browser.js');

const ORIGIN = 'http://okpay.test';
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'";

const GOOD = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fine</title></head>
<body><main><h1>Fine</h1><p>Nothing wrong here.</p></main></body></html>`;
const BAD = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/pixel.png"><p style="color:#aaa;background:#fff">faint</p>
<script>document.title = 'inline ran';</script><img alt="missing" src="/missing.png"></main></body></html>`;

// Serve the pages above for ORIGIN, with the CSP header; everything else is a 404.
async function serve(context) {
  await context.route(`${ORIGIN}/**`, (route) => {
    const { pathname } = new URL(route.request().url());
    const html = { '/good': GOOD, '/bad': BAD }[pathname];
    if (pathname === '/pixel.png') {
      return route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64') });
    }
    if (html) return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'Content-Security-Policy': CSP }, body: html });
    return route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' });
  });
}

describe('browser helpers', () => {
  let browser;
  before(async () => { browser = await launchBrowser(); });
  after(async () => { if (browser) await browser.close(); });

  it('checkA11y reports nothing on a clean page and readable violations on a broken one', async () => {
    const context = await newA11yContext(browser);
    try {
      await serve(context);
      const page = await context.newPage();
      await page.goto(`${ORIGIN}/good`);
      assert.deepEqual(await checkA11y(page), []);
      await assertAccessible(page);

      await page.goto(`${ORIGIN}/bad`);
      const found = await checkA11y(page);
      const ids = found.map((v) => v.split(' ')[0]);
      for (const id of ['html-has-lang', 'image-alt', 'color-contrast']) assert.ok(ids.includes(id), `${id} in ${ids}`);
      const contrast = found.find((v) => v.startsWith('color-contrast'));
      assert.match(contrast, /\[serious\]/);
      assert.match(contrast, /at p \(fg #aaaaaa on bg #ffffff, ratio 2\.32, needs 4\.5:1/);
      await assert.rejects(assertAccessible(page, 'the broken page'), /axe found 3 violation\(s\) on the broken page:\n {2}color-contrast \[serious\]/);
    } finally {
      await context.close();
    }
  });

  it('watchPage reports CSP violations and failed requests when CSP is enforced', async () => {
    const context = await newStrictContext(browser);
    try {
      await serve(context);
      const page = await context.newPage();
      const watch = await watchPage(page);
      await page.goto(`${ORIGIN}/good`);
      await page.waitForLoadState('networkidle');
      assert.deepEqual(watch.problems(), []);

      await page.goto(`${ORIGIN}/bad`);
      await page.waitForLoadState('networkidle');
      assert.notEqual(await page.title(), 'inline ran', 'the inline script was blocked');
      assert.ok(watch.csp.some((m) => /script-src/.test(m)), `CSP messages: ${watch.csp.join('\n')}`);
      assert.ok(watch.csp.some((m) => /securitypolicyviolation/.test(m)), 'the securitypolicyviolation event was seen');
      assert.deepEqual(watch.badStatus, [`404 GET ${ORIGIN}/missing.png`]);
      watch.reset();
      assert.deepEqual(watch.problems(), []);
    } finally {
      await context.close();
    }
  });
});

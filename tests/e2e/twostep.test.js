// Two-step verification in a real browser: turn it on from the security page by reading the
// key text off the page (as a person typing it into an authenticator app would), save the
// recovery codes, log out, log in with a code. axe-core runs on every page of the journey;
// the same login runs again in a context that enforces the Content-Security-Policy.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startPortal } = require('../lib/harness.js');
const { Mailbox } = require('../lib/http.js');
const w = require('../lib/wallet.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible, screenshot,
} = require('./lib/browser.js');

const SHOTS = path.join(ROOT, 'build', 'e2e-screenshots');

// RFC 6238 (HMAC-SHA-1, 6 digits, 30 s) from the key as the page shows it.
function totp(keyText, offset = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const bytes = [];
  for (const ch of keyText.replace(/\s/g, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const mac = crypto.createHmac('sha1', Buffer.from(bytes)).update(msg).digest();
  const o = mac[mac.length - 1] & 15;
  const n = ((mac[o] & 127) << 24) | (mac[o + 1] << 16) | (mac[o + 2] << 8) | mac[o + 3];
  return String(n % 1e6).padStart(6, '0');
}

describe('two-step verification in a browser', () => {
  let portal, browser, context, page, watch, user, key;
  const ui = w.loadUi();

  const heading = (p, name, level = 1) => p.getByRole('heading', { level, name, exact: true });
  const main = (p) => p.getByRole('main');
  const settle = (p) => p.waitForLoadState('networkidle', { timeout: 10000 });

  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`not visible: ${what}`);
    });
  }

  async function arrive(p, pathname) {
    await p.waitForURL((u) => u.pathname === pathname, { timeout: 5000 });
    await settle(p);
  }

  async function passwordStep(p) {
    await p.goto(`${portal.base}/zh/account/login`);
    await arrive(p, '/zh/account/login');
    await p.getByLabel('电子邮箱', { exact: true }).fill(user.email);
    await p.getByLabel('密码', { exact: true }).fill(w.PW);
    await main(p).getByRole('button', { name: '登录', exact: true }).click();
    await arrive(p, '/zh/account/login/code');
    await visible(heading(p, '两步验证'), 'the code page');
  }

  before(async () => {
    portal = await startPortal();
    user = await w.newUser(portal, new Mailbox(portal.mailDir), ui, { who: 'e2e-twostep' });
    browser = await launchBrowser();
    context = await newA11yContext(browser);
    page = await context.newPage();
    watch = await watchPage(page);
  });

  after(async () => {
    if (browser) await browser.close();
    if (portal) await portal.stop();
    for (const dir of [portal && portal.dir, portal && path.dirname(portal.siteDir)]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns on two-step verification from 账户安全 with the password, the key text and a code', async () => {
    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    await page.getByLabel('电子邮箱', { exact: true }).fill(user.email);
    await page.getByLabel('密码', { exact: true }).fill(w.PW);
    await main(page).getByRole('button', { name: '登录', exact: true }).click();
    await arrive(page, '/zh/account/');

    await page.goto(`${portal.base}/zh/account/security`);
    await arrive(page, '/zh/account/security');
    const section = main(page).getByRole('region', { name: '两步验证' });
    await visible(section.getByText('未开启', { exact: true }), 'status 未开启');
    await assertAccessible(page, '/zh/account/security (two-step off)');
    await section.getByLabel('当前密码', { exact: true }).fill(w.PW);
    await section.getByRole('button', { name: '开启两步验证', exact: true }).click();
    await arrive(page, '/zh/account/twostep/setup');
    await visible(heading(page, '设置两步验证'), 'setup heading');

    const qr = main(page).getByRole('img', { name: '用于验证器应用的二维码' });
    await visible(qr, 'the QR code');
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image loaded');
    key = (await page.locator('#twostep-secret').innerText()).trim();
    assert.match(key, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, `the key in groups of four: ${key}`);
    await assertAccessible(page, '/zh/account/twostep/setup');
    await screenshot(page, SHOTS, 'twostep-setup-zh');

    await page.getByLabel('验证器应用中的 6 位验证码', { exact: true }).fill(totp(key, -1));
    await main(page).getByRole('button', { name: '开启', exact: true }).click();
    await arrive(page, '/zh/account/twostep/codes');
    await visible(heading(page, '保存你的恢复码'), 'recovery codes heading');
    const codes = (await page.locator('#recovery-codes li').allInnerTexts()).map((s) => s.trim());
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c, /^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    await visible(main(page).getByRole('link', { name: '下载恢复码（文本文件）' }), 'the download link');
    await assertAccessible(page, '/zh/account/twostep/codes');

    await main(page).getByRole('button', { name: '我已保存恢复码', exact: true }).click();
    await arrive(page, '/zh/account/security');
    await visible(page.getByRole('status').filter({ hasText: '两步验证已开启' }), 'the banner');
    await visible(main(page).getByRole('region', { name: '两步验证' }).getByText('已开启', { exact: true }), 'status 已开启');
    await assertAccessible(page, '/zh/account/security (two-step on)');
  });

  it('logs out and logs in again with the code from the app', async () => {
    await page.goto(`${portal.base}/zh/account/`);
    await arrive(page, '/zh/account/');
    await main(page).getByRole('button', { name: '退出登录', exact: true }).click();
    await arrive(page, '/zh/account/login');

    await passwordStep(page);
    await assertAccessible(page, '/zh/account/login/code');
    await screenshot(page, SHOTS, 'twostep-login-code-zh');
    await page.getByLabel('验证码或恢复码', { exact: true }).fill(totp(key, 0));
    await main(page).getByRole('button', { name: '验证并登录', exact: true }).click();
    await arrive(page, '/zh/account/');
    await visible(heading(page, '我的账户'), '"我的账户"');
    assert.deepEqual(watch.problems(), [], 'no failed request, error status or page error');
  });

  it('the same login under the enforced Content-Security-Policy: no violation', async () => {
    const strict = await newStrictContext(browser);
    try {
      const sp = await strict.newPage();
      const sw = await watchPage(sp);
      await passwordStep(sp);
      await sp.getByLabel('验证码或恢复码', { exact: true }).fill(totp(key, 1));
      await main(sp).getByRole('button', { name: '验证并登录', exact: true }).click();
      await arrive(sp, '/zh/account/');
      await sp.goto(`${portal.base}/zh/account/security`);
      await arrive(sp, '/zh/account/security');
      assert.ok(await sp.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0), 'styled');
      assert.deepEqual(sw.problems(), [], 'no CSP violation, failed request or error');
    } finally {
      await strict.close();
    }
  });
});

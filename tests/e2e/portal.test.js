// The account portal in a real browser: register, verify the email from the dev outbox, log in,
// look at the account, log out, get a password wrong, in Chinese and English. Fields are found
// by their labels and buttons by role and name, as a person (or a screen reader) finds them;
// axe-core runs on every portal page, the CSP is enforced in a second context, and screenshots
// for humans go to build/e2e-screenshots/.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startPortal } = require('../lib/harness.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible, screenshot,
} = require('./lib/browser.js');

const SHOTS = path.join(ROOT, 'build', 'e2e-screenshots');

// A strong passphrase: long, unrelated words, nothing to do with the name or the address.
const PASSWORD = '青蛙 lantern 纸船 orbit 1987 走廊';
const NAME = '李伟';
const EMAIL = 'li.wei.e2e@example.com';

// The error responses the journey provokes on purpose: a register form with errors (400) and
// a wrong password (401), both answers to a POST.
function expectedError(res) {
  const u = new URL(res.url());
  const m = res.request().method();
  return m === 'POST' && ((res.status() === 400 && /^\/(zh|en)\/account\/register$/.test(u.pathname)) ||
    (res.status() === 401 && /^\/(zh|en)\/account\/login$/.test(u.pathname)));
}

describe('account portal in a browser', () => {
  let portal;
  let browser;
  let context; // bypasses CSP, only so that axe can be injected
  let page;
  let watch;

  const heading = (p, name, level = 1) => p.getByRole('heading', { level, name, exact: true });
  const main = (p) => p.getByRole('main');

  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`not visible: ${what}`);
    });
  }

  const settle = (p) => p.waitForLoadState('networkidle', { timeout: 10000 });

  async function arrive(p, pathname) {
    await p.waitForURL((u) => u.pathname === pathname, { timeout: 5000 });
    await settle(p);
  }

  // The text of the elements an input's aria-describedby points at, by id.
  async function describedBy(input) {
    return input.evaluate((el) => (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map((id) => {
        const d = document.getElementById(id);
        return { id, text: d ? d.textContent.trim() : null };
      }));
  }

  // Fill and send the register form, in either language.
  async function register(p, { name, email, password, password2 = password, terms = true, zh }) {
    await p.getByLabel(zh ? '姓名' : 'Full name', { exact: true }).fill(name);
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    await p.getByLabel(zh ? '再次输入密码' : 'Password again', { exact: true }).fill(password2);
    const box = p.getByLabel(zh ? /《服务条款》/ : /Terms of Service/);
    if (terms) await box.check();
    else await box.uncheck();
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/account/register')),
      p.getByRole('button', { name: zh ? '注册' : 'Create account', exact: true }).click(),
    ]);
    await settle(p);
    return res;
  }

  async function logIn(p, { email, password, zh = true }) {
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/account/login')),
      main(p).getByRole('button', { name: zh ? '登录' : 'Log in', exact: true }).click(),
    ]);
    await settle(p);
    return res;
  }

  before(async () => {
    portal = await startPortal();
    browser = await launchBrowser();
    context = await newA11yContext(browser);
    page = await context.newPage();
    watch = await watchPage(page, { allowStatus: expectedError });
  });

  after(async () => {
    if (browser) await browser.close();
    if (portal) await portal.stop();
    for (const dir of [portal && portal.dir, portal && path.dirname(portal.siteDir)]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registers in Chinese and lands on "请查收验证邮件"', async () => {
    await page.goto(`${portal.base}/zh/account/register`);
    await arrive(page, '/zh/account/register');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await visible(heading(page, '注册 OKpay 账户'), 'register heading');
    await assertAccessible(page, '/zh/account/register');

    const res = await register(page, { name: NAME, email: EMAIL, password: PASSWORD, zh: true });
    assert.equal(res.status(), 303, 'the form is accepted and redirects');
    await arrive(page, '/zh/account/register/sent');
    await visible(heading(page, '请查收验证邮件'), '"请查收验证邮件"');
  });

  it('verifies the email from the dev outbox: subject, link, 确认邮箱 → 邮箱已验证', async () => {
    await page.goto(`${portal.base}/_dev/mail`);
    await arrive(page, '/_dev/mail');
    // Newest first: the first row of the outbox is the mail just sent.
    const rows = main(page).getByRole('table').getByRole('row');
    const newest = rows.nth(1);
    await visible(newest, 'the newest mail in the outbox');
    assert.match(await newest.innerText(), new RegExp(EMAIL.replace(/\./g, '\\.')), 'the newest mail goes to the new address');
    await newest.getByRole('link', { name: '请验证你的 OKpay 邮箱' }).click();
    await page.waitForURL((u) => /^\/_dev\/mail\/\d+$/.test(u.pathname), { timeout: 5000 });
    await settle(page);
    await visible(heading(page, '请验证你的 OKpay 邮箱'), 'mail subject as heading');

    const link = main(page).getByRole('link', { name: /\/zh\/account\/verify\?token=/ });
    assert.equal(await link.count(), 1, 'the mail has one verification link');
    const [shown] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/zh/account/verify'),
      link.click(),
    ]);
    await arrive(page, '/zh/account/verify');
    await visible(heading(page, '确认邮箱'), 'confirm page heading');

    const [res] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/zh/account/verify'),
      main(page).getByRole('button', { name: '确认邮箱', exact: true }).click(),
    ]);
    if (res.status() !== 303) {
      await settle(page);
      const sent = await res.request().allHeaders();
      assert.fail(`pressing 确认邮箱 was refused: POST /zh/account/verify answered ${res.status()} ` +
        `("${(await page.locator('h1').innerText()).trim()}"). The browser sent Origin: ${sent.origin}, ` +
        `Sec-Fetch-Site: ${sent['sec-fetch-site']}; the confirm page came with Referrer-Policy: ` +
        `${shown.headers()['referrer-policy']}.`);
    }
    await arrive(page, '/zh/account/verify/done');
    await visible(heading(page, '邮箱已验证'), '"邮箱已验证"');
  });

  it('logs in: "我的账户" shows the name, 已验证 and the activity with 登录', async () => {
    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    await visible(heading(page, '登录'), 'login heading');
    await assertAccessible(page, '/zh/account/login');

    const res = await logIn(page, { email: EMAIL, password: PASSWORD });
    assert.equal(res.status(), 303);
    await arrive(page, '/zh/account/');
    await visible(heading(page, '我的账户'), '"我的账户"');
    await assertAccessible(page, '/zh/account/');
    await screenshot(page, SHOTS, 'portal-overview-zh');
    await screenshot(page, SHOTS, 'portal-overview-zh-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1280, height: 800 });

    const profile = main(page).getByRole('region', { name: '个人资料' });
    await visible(profile, 'profile card');
    const facts = await profile.innerText();
    assert.match(facts, new RegExp(NAME), 'the profile shows the name');
    assert.match(facts, new RegExp(EMAIL.replace(/\./g, '\\.')), 'the profile shows the email');
    await visible(profile.getByText('已验证', { exact: true }), 'the 已验证 badge');
    assert.equal(await profile.getByText('未验证', { exact: true }).count(), 0, 'no 未验证 badge');
    await visible(main(page).getByText(new RegExp(`^你好，\\s*${NAME}$`)), 'the greeting names the user');
    assert.equal(await page.getByRole('status').filter({ hasText: '未验证' }).count(), 0, 'no unverified banner');

    const activity = main(page).getByRole('region', { name: '最近的账户活动' });
    const table = activity.getByRole('table');
    await visible(table, 'activity table');
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(headers, ['活动', '时间', 'IP 地址', '设备']);
    const first = table.getByRole('row').nth(1);
    assert.equal((await first.getByRole('cell').first().innerText()).trim(), '登录', 'the newest activity is the login');
    const kinds = (await table.getByRole('row').allInnerTexts()).slice(1).map((s) => s.split('\t')[0].trim());
    for (const k of ['登录', '验证邮箱', '注册账户']) assert.ok(kinds.includes(k), `activity lists ${k}: ${kinds.join(', ')}`);
  });

  it('the English overview passes axe too', async () => {
    await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: 'English', exact: true }).click();
    await arrive(page, '/en/account/');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await visible(heading(page, 'My account'), '"My account"');
    await assertAccessible(page, '/en/account/');
    await screenshot(page, SHOTS, 'portal-overview-en');
    const table = main(page).getByRole('region', { name: 'Recent account activity' }).getByRole('table');
    assert.equal((await table.getByRole('row').nth(1).getByRole('cell').first().innerText()).trim(), 'Logged in');
    await visible(main(page).getByRole('region', { name: 'Profile' }).getByText('Verified', { exact: true }), 'the Verified badge');
  });

  it('logs out with 退出登录 and lands on the login page with the notice', async () => {
    await page.goto(`${portal.base}/zh/account/`);
    await arrive(page, '/zh/account/');
    // Both the header and the page offer 退出登录; the page's own button, as a reader would.
    await main(page).getByRole('button', { name: '退出登录', exact: true }).click();
    await arrive(page, '/zh/account/login');
    await visible(heading(page, '登录'), 'login heading');
    await visible(page.getByRole('status').filter({ hasText: '你已退出登录。' }), 'logged-out notice');
    assert.equal(await page.getByRole('button', { name: '退出登录' }).count(), 0, 'no log-out button any more');
    // The account is closed now.
    await page.goto(`${portal.base}/zh/account/`);
    await arrive(page, '/zh/account/login');
  });

  it('a wrong password: error summary and field error, email kept, password emptied, link focuses the field', async () => {
    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    const res = await logIn(page, { email: EMAIL, password: 'not the right passphrase' });
    assert.equal(res.status(), 401);
    await arrive(page, '/zh/account/login');

    const summary = page.getByRole('alert');
    await visible(summary, 'error summary');
    await visible(summary.getByRole('heading', { name: '请修改以下问题后再提交：' }), 'error summary heading');
    const summaryLink = summary.getByRole('link', { name: '邮箱或密码不正确。', exact: true });
    await visible(summaryLink, 'the message in the error summary');

    const email = page.getByLabel('电子邮箱', { exact: true });
    const password = page.getByLabel('密码', { exact: true });
    assert.equal(await email.inputValue(), EMAIL, 'the email is kept');
    assert.equal(await password.inputValue(), '', 'the password field is empty');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const desc = await describedBy(email);
    assert.ok(desc.some((d) => d.text === '邮箱或密码不正确。'), `the email field is described by the message: ${JSON.stringify(desc)}`);
    // "Next to the field": the message is inside the field's own group, right below the input.
    const near = await email.evaluate((el) => {
      const msg = el.closest('.field') && el.closest('.field').querySelector('.field-error');
      if (!msg) return null;
      const a = el.getBoundingClientRect();
      const b = msg.getBoundingClientRect();
      return { text: msg.textContent.trim(), gap: b.top - a.bottom, visible: b.height > 0 };
    });
    assert.ok(near, 'a message is shown in the email field group');
    assert.equal(near.text, '邮箱或密码不正确。');
    assert.ok(near.visible && near.gap >= 0 && near.gap < 40, `the message is right below the field (gap ${near.gap}px)`);

    await assertAccessible(page, '/zh/account/login (wrong password)');

    await summaryLink.click();
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'email', null, { timeout: 5000 })
      .catch(() => {});
    assert.ok(await email.evaluate((el) => el === document.activeElement),
      `the summary link focuses the email field (focused: ${await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 80))})`);
  });

  it('the Chinese register form with errors passes axe and shows every message', async () => {
    await page.goto(`${portal.base}/zh/account/register`);
    await arrive(page, '/zh/account/register');
    const res = await register(page, { name: '', email: 'not-an-address', password: '', password2: 'x', terms: false, zh: true });
    assert.equal(res.status(), 400);
    await arrive(page, '/zh/account/register');
    const summary = page.getByRole('alert');
    await visible(summary, 'error summary');
    const messages = (await summary.getByRole('link').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(messages, ['请填写姓名。', '电子邮箱格式不正确，请检查，例如 li.wei@example.com。', '请设置密码。',
      '两次输入的密码不一致。', '请阅读并同意服务条款和隐私政策。']);
    assert.equal(await page.getByLabel('电子邮箱', { exact: true }).inputValue(), 'not-an-address', 'the email is kept');
    await assertAccessible(page, '/zh/account/register (with errors)');
    await screenshot(page, SHOTS, 'portal-register-errors-zh', { width: 1280 });
    await screenshot(page, SHOTS, 'portal-register-errors-zh-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('English register with a too-short password: the message is next to the field, name and email kept', async () => {
    await page.goto(`${portal.base}/en/account/register`);
    await arrive(page, '/en/account/register');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await visible(heading(page, 'Create your OKpay account'), 'English register heading');
    await assertAccessible(page, '/en/account/register');

    const res = await register(page, { name: 'Wei Li', email: 'wei.li.e2e@example.com', password: 'ab3 x', zh: false });
    assert.equal(res.status(), 400);
    await arrive(page, '/en/account/register');

    const message = 'The password is too short: use at least 8 characters.';
    const password = page.getByLabel('Password', { exact: true });
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    const desc = await describedBy(password);
    const err = desc.find((d) => d.text === message);
    assert.ok(err, `aria-describedby of the password field points at the message: ${JSON.stringify(desc)}`);
    assert.ok(desc.every((d) => d.text !== null), `every id in aria-describedby exists: ${JSON.stringify(desc)}`);
    const errEl = page.locator(`[id="${err.id}"]`);
    await visible(errEl, 'the password message');
    assert.ok(await errEl.evaluate((m) => m.closest('.field') === document.getElementById('password').closest('.field')),
      'the message is in the password field group');
    await visible(page.getByRole('alert').getByRole('link', { name: message }), 'the message in the error summary');
    // Only the password was wrong.
    assert.equal(await page.getByRole('alert').getByRole('link').count(), 1, 'one error');

    assert.equal(await page.getByLabel('Full name', { exact: true }).inputValue(), 'Wei Li', 'the name is kept');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), 'wei.li.e2e@example.com', 'the email is kept');
    assert.equal(await password.inputValue(), '', 'the password is not sent back');

    await assertAccessible(page, '/en/account/register (with errors)');
    await screenshot(page, SHOTS, 'portal-register-errors-en', { width: 1280 });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('the English login page passes axe', async () => {
    await page.goto(`${portal.base}/en/account/login`);
    await arrive(page, '/en/account/login');
    await visible(heading(page, 'Log in'), 'English login heading');
    await assertAccessible(page, '/en/account/login');
  });

  it('the portal pages also pass axe in the dark colour scheme', async () => {
    const dark = await newA11yContext(browser, { colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      await p.goto(`${portal.base}/zh/account/register`);
      await settle(p);
      await assertAccessible(p, '/zh/account/register (dark)');
      assert.equal((await register(p, { name: '', email: 'x', password: '', terms: false, zh: true })).status(), 400);
      await assertAccessible(p, '/zh/account/register with errors (dark)');
      await p.goto(`${portal.base}/en/account/login`);
      await settle(p);
      assert.equal((await logIn(p, { email: EMAIL, password: 'wrong wrong wrong', zh: false })).status(), 401);
      await assertAccessible(p, '/en/account/login with errors (dark)');
      assert.equal((await logIn(p, { email: EMAIL, password: PASSWORD, zh: false })).status(), 303);
      await arrive(p, '/en/account/');
      await assertAccessible(p, '/en/account/ (dark)');
      await p.goto(`${portal.base}/zh/account/`);
      await settle(p);
      await assertAccessible(p, '/zh/account/ (dark)');
    } finally {
      await dark.close();
    }
  });

  it('the journey hit no failed requests, unexpected error responses or page errors', () => {
    assert.deepEqual(watch.problems(), []);
  });

  describe('with the Content-Security-Policy enforced', () => {
    let strict;
    let sp;
    let sw;

    before(async () => {
      strict = await newStrictContext(browser);
      sp = await strict.newPage();
      sw = await watchPage(sp, { allowStatus: expectedError });
    });

    after(async () => {
      if (strict) await strict.close();
    });

    async function applied(u) {
      assert.ok(await sp.evaluate(() => document.documentElement.classList.contains('js')), `site.js ran on ${u}`);
      const styled = await sp.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
      assert.ok(styled, `the stylesheet applied on ${u}`);
    }

    it('register, register with errors, login, overview in both languages: no CSP violations', async () => {
      for (const lang of ['zh', 'en']) {
        const zh = lang === 'zh';
        for (const u of [`/${lang}/account/register`, `/${lang}/account/login`]) {
          const res = await sp.goto(portal.base + u);
          assert.equal(res.status(), 200, `status of ${u}`);
          await settle(sp);
          await applied(u);
        }
        await sp.goto(`${portal.base}/${lang}/account/register`);
        await settle(sp);
        const res = await register(sp, { name: 'X', email: 'x', password: 'short', password2: 'other', terms: false, zh });
        assert.equal(res.status(), 400);
        await applied(`/${lang}/account/register (with errors)`);

        await sp.goto(`${portal.base}/${lang}/account/login`);
        await settle(sp);
        assert.equal((await logIn(sp, { email: EMAIL, password: PASSWORD, zh })).status(), 303);
        await arrive(sp, `/${lang}/account/`);
        await visible(heading(sp, zh ? '我的账户' : 'My account'), `overview in ${lang}`);
        await applied(`/${lang}/account/`);
        await main(sp).getByRole('button', { name: zh ? '退出登录' : 'Log out', exact: true }).click();
        await arrive(sp, `/${lang}/account/login`);
        await applied(`/${lang}/account/login?bye=1`);
      }
      assert.deepEqual(sw.problems(), []);
    });
  });
});

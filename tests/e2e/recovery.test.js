// Password recovery, sessions and the security pages of the account portal in a real browser:
// a forgotten password reset by the mailed link (in Chinese) and by the mailed code (in
// English), the security page with two signed-in browsers and 退出所有其他会话, the activity
// page, and axe-core plus an enforced Content-Security-Policy on every page of the feature in
// both languages. Fields are found by their labels and buttons by role and name, as a person
// (or a screen reader) finds them; mails are read in the dev outbox (/_dev/mail).
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

// Strong passphrases: long, unrelated words, nothing to do with the names or the addresses.
const ZH = {
  name: '王芳', email: 'wang.fang.recovery@example.com',
  password: '青蛙 lantern 纸船 orbit 1987 走廊', newPassword: '晚霞 compass 竹林 violet 2031 码头',
};
const EN = {
  name: 'Fang Wang', email: 'fang.wang.recovery@example.com',
  password: 'harbour quill 7 marmalade zenith', newPassword: 'copper kettle 42 nebula tramline',
};

const RESET_SUBJECT = { zh: '重置你的 OKpay 密码', en: 'Reset your OKpay password' };
const CODE_LINE = { zh: '也可以在申请后显示的页面上输入这个验证码：', en: 'Or type this code on the page shown after your request: ' };

const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const FORM_PATHS = /^\/(zh|en)\/account\/(register|password\/(forgot|sent|reset|change)|email)$/;

// The error responses the tests provoke on purpose: forms sent with errors (400), a wrong
// password at login (401), and reset links that cannot be used (400 forged, 410 used).
function expectedError(res) {
  const u = new URL(res.url());
  const m = res.request().method();
  if (m === 'POST') {
    return (res.status() === 400 && FORM_PATHS.test(u.pathname)) ||
      (res.status() === 401 && /^\/(zh|en)\/account\/login$/.test(u.pathname));
  }
  return m === 'GET' && [400, 410].includes(res.status()) && /^\/(zh|en)\/account\/password\/reset$/.test(u.pathname);
}

// The problems a watcher recorded, but for the favicon requests the browser itself cancels when
// the test moves on right after "load" (a missing favicon would still show as an HTTP error).
const problems = (w) => w.problems().filter((s) => !/^request failed: GET \S+\/favicon\.[^/\s]*: net::ERR_ABORTED$/.test(s));

describe('password recovery, sessions and security pages in a browser', () => {
  let portal;
  let browser;
  let context; // bypasses CSP, only so that axe can be injected
  let page;
  let watch;
  let freshResetLink = null; // an unused reset link, for the pages that need a valid one

  const heading = (p, name, level = 1) => p.getByRole('heading', { level, name, exact: true });
  const main = (p) => p.getByRole('main');
  // Server-rendered pages: once "load" has fired, the styles and site.js are in.
  const settle = (p) => p.waitForLoadState('load', { timeout: 10000 });

  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => {
      throw new Error(`not visible: ${what}`);
    });
  }

  async function arrive(p, pathname) {
    await p.waitForURL((u) => u.pathname === pathname, { timeout: 5000 }).catch(async () => {
      throw new Error(`expected to arrive at ${pathname}, but the browser is at ${p.url()} ` +
        `("${(await p.locator('h1').first().innerText().catch(() => '?')).trim()}")`);
    });
    await settle(p);
  }

  // Press a button and wait for the POST it sends; returns the response.
  async function press(p, button, pathEnd) {
    const [res] = await Promise.all([
      p.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(pathEnd)),
      button.click(),
    ]);
    await settle(p);
    return res;
  }

  // Copied from portal.test.js: fill and send the register form.
  async function register(p, { name, email, password, zh }) {
    await p.getByLabel(zh ? '姓名' : 'Full name', { exact: true }).fill(name);
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    await p.getByLabel(zh ? '再次输入密码' : 'Password again', { exact: true }).fill(password);
    await p.getByLabel(zh ? /《服务条款》/ : /Terms of Service/).check();
    return press(p, p.getByRole('button', { name: zh ? '注册' : 'Create account', exact: true }), '/account/register');
  }

  async function logIn(p, { email, password, zh }) {
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    return press(p, main(p).getByRole('button', { name: zh ? '登录' : 'Log in', exact: true }), '/account/login');
  }

  async function logOut(p, zh) {
    const lang = zh ? 'zh' : 'en';
    await p.getByRole('button', { name: zh ? '退出登录' : 'Log out', exact: true }).first().click();
    await arrive(p, `/${lang}/account/login`);
  }

  // Open the outbox and the newest mail to `to` with this subject; resolves to the mail's text.
  // With newestOfAll, it must also be the newest mail in the outbox (its first row).
  async function openNewestMail(p, to, subject, { newestOfAll = false } = {}) {
    await p.goto(`${portal.base}/_dev/mail`);
    await arrive(p, '/_dev/mail');
    const rows = main(p).getByRole('table').getByRole('row');
    if (newestOfAll) {
      const first = (await rows.nth(1).innerText()).trim();
      assert.ok(first.includes(to) && first.includes(subject), `the newest mail is "${subject}" to ${to}: ${first}`);
    }
    const row = rows
      .filter({ hasText: to })
      .filter({ has: p.getByRole('link', { name: subject, exact: true }) })
      .first();
    await visible(row, `a mail "${subject}" to ${to} in the outbox`);
    await row.getByRole('link', { name: subject, exact: true }).click();
    await p.waitForURL((u) => /^\/_dev\/mail\/\d+$/.test(u.pathname), { timeout: 5000 });
    await settle(p);
    await visible(heading(p, subject), 'mail subject as heading');
    return main(p).innerText();
  }

  // Register through the UI and confirm the address with the link from the outbox.
  async function registerAndVerify(p, who, zh) {
    const lang = zh ? 'zh' : 'en';
    await p.goto(`${portal.base}/${lang}/account/register`);
    await arrive(p, `/${lang}/account/register`);
    const res = await register(p, { ...who, zh });
    assert.equal(res.status(), 303, 'the register form is accepted');
    await arrive(p, `/${lang}/account/register/sent`);

    await openNewestMail(p, who.email, zh ? '请验证你的 OKpay 邮箱' : 'Verify your OKpay email address');
    await main(p).getByRole('link', { name: new RegExp(`/${lang}/account/verify\\?token=`) }).click();
    await arrive(p, `/${lang}/account/verify`);
    const done = await press(p, main(p).getByRole('button', { name: zh ? '确认邮箱' : 'Confirm email', exact: true }), '/account/verify');
    assert.equal(done.status(), 303, 'the address is confirmed');
    await arrive(p, `/${lang}/account/verify/done`);
  }

  // From the login page: 忘记密码？, type the address, 发送重置链接 → the "sent" page.
  async function askForReset(p, email, zh) {
    const lang = zh ? 'zh' : 'en';
    await main(p).getByRole('link', { name: zh ? '忘记密码？' : 'Forgot your password?', exact: true }).click();
    await arrive(p, `/${lang}/account/password/forgot`);
    await visible(heading(p, zh ? '忘记密码' : 'Forgot your password'), 'forgot heading');
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    const res = await press(p, main(p).getByRole('button', { name: zh ? '发送重置链接' : 'Send reset link', exact: true }),
      '/account/password/forgot');
    assert.equal(res.status(), 303, 'the request is accepted');
    await arrive(p, `/${lang}/account/password/sent`);
    await visible(heading(p, zh ? '请查收邮件' : 'Check your email'), 'sent heading');
    await visible(main(p).getByText(zh ? /^如果该邮箱有对应的账户，我们已发送一封邮件/ : /^If an account exists for that email, we have sent a message/),
      'the "if an account exists" text');
  }

  async function expectLoginRefused(p, who, zh) {
    const res = await logIn(p, { email: who.email, password: who.password, zh });
    assert.equal(res.status(), 401, 'the old password no longer works');
    await visible(p.getByRole('alert').getByRole('link', { name: zh ? '邮箱或密码不正确。' : 'The email or password is incorrect.', exact: true }),
      'the wrong-password message');
  }

  // Error summary messages, in order.
  async function summary(p) {
    const alert = p.getByRole('alert');
    await visible(alert, 'error summary');
    return (await alert.getByRole('link').allInnerTexts()).map((s) => s.trim());
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

  it('zh: 忘记密码？ → mail → the reset link → 设置新密码 → log in with the new password only', async () => {
    await registerAndVerify(page, ZH, true);
    // Verifying does not sign in; if a session is open all the same, leave it.
    if (await page.getByRole('button', { name: '退出登录' }).count()) await logOut(page, true);

    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    await askForReset(page, ZH.email, true);
    assert.equal(await page.getByLabel('电子邮箱', { exact: true }).inputValue(), ZH.email, 'the sent page fills in the address');

    const text = await openNewestMail(page, ZH.email, RESET_SUBJECT.zh, { newestOfAll: true });
    assert.match(text, new RegExp(`${reEscape(CODE_LINE.zh)}\\s*[A-Z2-9]{8}`), 'the mail has the 8-character code');
    const link = main(page).getByRole('link', { name: /\/zh\/account\/password\/reset\?token=/ });
    assert.equal(await link.count(), 1, 'the mail has one reset link');
    await link.click();
    await arrive(page, '/zh/account/password/reset');
    const resetUrl = page.url();
    await visible(heading(page, '设置新密码'), 'reset heading');
    await assertAccessible(page, '/zh/account/password/reset (valid link)');

    await page.getByLabel('新密码', { exact: true }).fill(ZH.newPassword);
    await page.getByLabel('再次输入新密码', { exact: true }).fill(ZH.newPassword);
    const res = await press(page, main(page).getByRole('button', { name: '设置新密码', exact: true }), '/account/password/reset');
    assert.equal(res.status(), 303, `设置新密码 is accepted (got ${res.status()})`);
    await arrive(page, '/zh/account/login');
    await visible(page.getByRole('status').filter({ hasText: '密码已重置，所有设备上的登录都已退出。请用新密码登录。' }), 'the reset notice');
    await assertAccessible(page, '/zh/account/login?reset=1');

    // The used link now explains itself.
    assert.equal((await page.goto(resetUrl)).status(), 410, 'the used link is gone');
    await settle(page);
    await visible(heading(page, '这个重置链接无法使用'), 'used link heading');
    await visible(main(page).getByText(/^链接已经用过/), 'the used-link reason');
    await assertAccessible(page, '/zh/account/password/reset (used link)');

    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    assert.equal((await logIn(page, { email: ZH.email, password: ZH.newPassword, zh: true })).status(), 303);
    await arrive(page, '/zh/account/');
    await visible(heading(page, '我的账户'), '"我的账户"');
    await logOut(page, true);
    await expectLoginRefused(page, ZH, true);
  });

  it('en: Forgot your password? → the code from the mail on the "sent" page → log in with the new password only', async () => {
    await registerAndVerify(page, EN, false);
    await page.goto(`${portal.base}/en/account/login`);
    await arrive(page, '/en/account/login');
    await askForReset(page, EN.email, false);
    const sentUrl = page.url();
    await assertAccessible(page, '/en/account/password/sent');

    const text = await openNewestMail(page, EN.email, RESET_SUBJECT.en, { newestOfAll: true });
    const m = text.match(new RegExp(`${reEscape(CODE_LINE.en.trim())}\\s*([A-Z2-9]{8})\\b`));
    assert.ok(m, `the mail shows an 8-character code:\n${text}`);
    const code = m[1];

    // Back on the page the request showed: first a wrong code, then the right one.
    await page.goto(sentUrl);
    await arrive(page, '/en/account/password/sent');
    await visible(heading(page, 'Reset with the code', 2), '"Reset with the code"');
    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), EN.email, 'the address is filled in');
    const form = main(page).getByRole('form', { name: 'Reset with the code' });
    const wrong = code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByLabel('New password', { exact: true }).fill(EN.newPassword);
    await page.getByLabel('New password again', { exact: true }).fill(EN.newPassword);
    let res = await press(page, form.getByRole('button', { name: 'Set new password', exact: true }), '/account/password/sent');
    assert.equal(res.status(), 400, 'a wrong code is refused');
    assert.deepEqual(await summary(page), ['The code is wrong or no longer valid.']);
    assert.equal(await page.getByLabel('Code', { exact: true }).getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, '/en/account/password/sent (wrong code)');

    assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), EN.email, 'the address is kept');
    await page.getByLabel('Code', { exact: true }).fill(code.toLowerCase()); // any case will do
    await page.getByLabel('New password', { exact: true }).fill(EN.newPassword);
    await page.getByLabel('New password again', { exact: true }).fill(EN.newPassword);
    res = await press(page, form.getByRole('button', { name: 'Set new password', exact: true }), '/account/password/sent');
    assert.equal(res.status(), 303, `the right code is accepted (got ${res.status()})`);
    await arrive(page, '/en/account/login');
    await visible(page.getByRole('status').filter({ hasText: 'Your password was reset and you were logged out everywhere.' }), 'the reset notice');

    assert.equal((await logIn(page, { email: EN.email, password: EN.newPassword, zh: false })).status(), 303);
    await arrive(page, '/en/account/');
    await visible(heading(page, 'My account'), '"My account"');
    await logOut(page, false);
    await expectLoginRefused(page, EN, false);
  });

  it('security: 本设备, a second browser signs in, 退出所有其他会话 sends it to login; activity lists 登录', async () => {
    await page.goto(`${portal.base}/zh/account/login`);
    await arrive(page, '/zh/account/login');
    assert.equal((await logIn(page, { email: ZH.email, password: ZH.newPassword, zh: true })).status(), 303);
    await arrive(page, '/zh/account/');
    await main(page).getByRole('link', { name: '安全', exact: true }).click();
    await arrive(page, '/zh/account/security');
    await visible(heading(page, '安全'), 'security heading');
    const sessions = () => main(page).getByRole('region', { name: '活动会话' }).getByRole('table').getByRole('row');
    await visible(sessions().filter({ hasText: '本设备' }), 'the session of this device, marked 本设备');
    assert.equal(await sessions().count(), 2, 'one session (and the header row)');
    await visible(main(page).getByText('目前只有本设备登录了你的账户。', { exact: true }), '"only this device"');

    const other = await newA11yContext(browser);
    try {
      const op = await other.newPage();
      await op.goto(`${portal.base}/zh/account/login`);
      await arrive(op, '/zh/account/login');
      assert.equal((await logIn(op, { email: ZH.email, password: ZH.newPassword, zh: true })).status(), 303);
      await arrive(op, '/zh/account/');

      await page.reload();
      await settle(page);
      assert.equal(await sessions().count(), 3, 'two sessions now');
      assert.equal(await sessions().filter({ hasText: '本设备' }).count(), 1, 'one of them is this device');
      await visible(sessions().filter({ hasNotText: '本设备' }).getByRole('button', { name: '退出该会话', exact: true }),
        'the other session can be ended');
      await assertAccessible(page, '/zh/account/security (two sessions)');
      await screenshot(page, SHOTS, 'recovery-security-two-sessions-zh', { width: 1280 });

      const res = await press(page, main(page).getByRole('button', { name: '退出所有其他会话', exact: true }), '/account/security/end-others');
      assert.equal(res.status(), 303);
      await arrive(page, '/zh/account/security');
      await visible(page.getByRole('status').filter({ hasText: '已退出 1 个其他会话。' }), 'the "ended 1 other session" notice');
      assert.equal(await sessions().count(), 2, 'only this session is left');
      await assertAccessible(page, '/zh/account/security?others=1');
      await screenshot(page, SHOTS, 'recovery-security-zh', { width: 1280 });
      await screenshot(page, SHOTS, 'recovery-security-zh-390', { width: 390, height: 844 });
      await page.setViewportSize({ width: 1280, height: 800 });

      // The second browser is signed out: its next navigation goes to the login page.
      await op.goto(`${portal.base}/zh/account/security`);
      await arrive(op, '/zh/account/login');
      await visible(heading(op, '登录'), 'login heading in the second browser');
    } finally {
      await other.close();
    }

    await main(page).getByRole('link', { name: '账户活动', exact: true }).click();
    await arrive(page, '/zh/account/activity');
    await visible(heading(page, '账户活动'), 'activity heading');
    const table = main(page).getByRole('table');
    const headers = (await table.getByRole('columnheader').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(headers, ['活动', '时间', 'IP 地址', '设备']);
    const kinds = (await table.getByRole('row').allInnerTexts()).slice(1).map((s) => s.split('\t')[0].trim());
    assert.ok(kinds.filter((k) => k === '登录').length >= 3, `activity lists the logins: ${kinds.join(', ')}`);
    for (const k of ['退出会话', '重置密码', '申请重置密码', '登录失败']) assert.ok(kinds.includes(k), `activity lists ${k}: ${kinds.join(', ')}`);
    await visible(main(page).getByRole('button', { name: '这不是我', exact: true }), 'the 这不是我 button');
    await assertAccessible(page, '/zh/account/activity');
    await screenshot(page, SHOTS, 'recovery-activity-zh', { width: 1280 });
    await screenshot(page, SHOTS, 'recovery-activity-zh-390', { width: 390, height: 844 });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('axe: the signed-in pages in both languages (security, activity, change password, change email, with errors)', async () => {
    for (const lang of ['zh', 'en']) {
      const zh = lang === 'zh';
      for (const u of ['security', 'activity']) {
        await page.goto(`${portal.base}/${lang}/account/${u}`);
        await arrive(page, `/${lang}/account/${u}`);
        await assertAccessible(page, `/${lang}/account/${u}`);
      }
      if (!zh) {
        await visible(main(page).getByRole('button', { name: "This wasn't me", exact: true }), "the This wasn't me button");
        await screenshot(page, SHOTS, 'recovery-activity-en', { width: 1280 });
        await page.goto(`${portal.base}/en/account/security`);
        await settle(page);
        await visible(main(page).getByRole('table').getByRole('row').filter({ hasText: 'This device' }), '"This device"');
        await screenshot(page, SHOTS, 'recovery-security-en', { width: 1280 });
        await page.setViewportSize({ width: 1280, height: 800 });
      }

      // Change password: from the security page, then sent with errors.
      await page.goto(`${portal.base}/${lang}/account/security`);
      await settle(page);
      await main(page).getByRole('link', { name: zh ? '更改密码' : 'Change password', exact: true }).click();
      await arrive(page, `/${lang}/account/password/change`);
      await visible(heading(page, zh ? '更改密码' : 'Change password'), 'change password heading');
      await assertAccessible(page, `/${lang}/account/password/change`);
      // No current password (which does not count as a failed login) and two different new ones.
      await page.getByLabel(zh ? '新密码' : 'New password', { exact: true }).fill(zh ? ZH.password : EN.password);
      await page.getByLabel(zh ? '再次输入新密码' : 'New password again', { exact: true }).fill('something else entirely');
      let res = await press(page, main(page).getByRole('button', { name: zh ? '更改密码' : 'Change password', exact: true }), '/account/password/change');
      assert.equal(res.status(), 400);
      assert.deepEqual(await summary(page), zh ? ['请输入当前密码。', '两次输入的密码不一致。']
        : ['Enter your current password.', 'The two passwords do not match.']);
      assert.equal(await page.getByLabel(zh ? '当前密码' : 'Current password', { exact: true }).getAttribute('aria-invalid'), 'true');
      await assertAccessible(page, `/${lang}/account/password/change (with errors)`);
      if (zh) await screenshot(page, SHOTS, 'recovery-password-change-errors-zh', { width: 1280 });

      // Change email: from the security page, then an address that is not one.
      await page.goto(`${portal.base}/${lang}/account/security`);
      await settle(page);
      await main(page).getByRole('link', { name: zh ? '更改邮箱' : 'Change email', exact: true }).click();
      await arrive(page, `/${lang}/account/email`);
      await visible(heading(page, zh ? '更改邮箱' : 'Change email'), 'change email heading');
      await assertAccessible(page, `/${lang}/account/email`);
      await page.getByLabel(zh ? '新邮箱' : 'New email', { exact: true }).fill('not-an-address');
      res = await press(page, main(page).getByRole('button', { name: zh ? '发送确认链接' : 'Send confirmation link', exact: true }), '/account/email');
      assert.equal(res.status(), 400);
      assert.equal((await summary(page)).length, 1, 'one error');
      assert.equal(await page.getByLabel(zh ? '新邮箱' : 'New email', { exact: true }).inputValue(), 'not-an-address', 'the address is kept');
      await assertAccessible(page, `/${lang}/account/email (with errors)`);
    }
    await page.goto(`${portal.base}/zh/account/`);
    await settle(page);
    await logOut(page, true);
  });

  it('axe: the signed-out pages in both languages (forgot, sent, wrong code, reset link valid and invalid)', async () => {
    // A fresh, unused reset link (for the en account: its mail is in English).
    await page.goto(`${portal.base}/en/account/login`);
    await arrive(page, '/en/account/login');
    await askForReset(page, EN.email, false);
    await openNewestMail(page, EN.email, RESET_SUBJECT.en);
    freshResetLink = await main(page).getByRole('link', { name: /\/en\/account\/password\/reset\?token=/ }).getAttribute('href');
    assert.ok(freshResetLink, 'the mail has a reset link');
    const token = new URL(freshResetLink).searchParams.get('token');

    for (const lang of ['zh', 'en']) {
      const zh = lang === 'zh';
      await page.goto(`${portal.base}/${lang}/account/password/forgot`);
      await arrive(page, `/${lang}/account/password/forgot`);
      await assertAccessible(page, `/${lang}/account/password/forgot`);
      // Nothing typed: the form asks for the address.
      const res = await press(page, main(page).getByRole('button', { name: zh ? '发送重置链接' : 'Send reset link', exact: true }),
        '/account/password/forgot');
      assert.equal(res.status(), 400);
      assert.equal((await summary(page)).length, 1, 'one error');
      await assertAccessible(page, `/${lang}/account/password/forgot (with errors)`);

      // The sent page, and a wrong code for an address without a request.
      await page.goto(`${portal.base}/${lang}/account/password/sent?email=nobody%40example.com`);
      await arrive(page, `/${lang}/account/password/sent`);
      await assertAccessible(page, `/${lang}/account/password/sent`);
      await page.getByLabel(zh ? '验证码' : 'Code', { exact: true }).fill('ABCD2345');
      await page.getByLabel(zh ? '新密码' : 'New password', { exact: true }).fill('short');
      await page.getByLabel(zh ? '再次输入新密码' : 'New password again', { exact: true }).fill('other');
      const sent = await press(page, main(page).getByRole('button', { name: zh ? '设置新密码' : 'Set new password', exact: true }),
        '/account/password/sent');
      assert.equal(sent.status(), 400);
      const msgs = await summary(page);
      assert.ok(msgs.includes(zh ? '验证码不正确或已失效。' : 'The code is wrong or no longer valid.'), `the code error: ${msgs}`);
      await assertAccessible(page, `/${lang}/account/password/sent (with errors)`);
      if (zh) await screenshot(page, SHOTS, 'recovery-sent-errors-zh', { width: 1280 });

      // The reset page from a valid link (opening it uses nothing), and from a broken one.
      await page.goto(`${portal.base}/${lang}/account/password/reset?token=${encodeURIComponent(token)}`);
      await arrive(page, `/${lang}/account/password/reset`);
      await visible(heading(page, zh ? '设置新密码' : 'Set a new password'), 'reset heading');
      await assertAccessible(page, `/${lang}/account/password/reset (valid link)`);
      const bad = await page.goto(`${portal.base}/${lang}/account/password/reset?token=not-a-token`);
      assert.equal(bad.status(), 400);
      await settle(page);
      await visible(heading(page, zh ? '这个重置链接无法使用' : 'This reset link cannot be used'), 'invalid link heading');
      await assertAccessible(page, `/${lang}/account/password/reset (invalid link)`);
      await main(page).getByRole('link', { name: zh ? '重新申请重置密码' : 'Ask for a new reset link', exact: true }).click();
      await arrive(page, `/${lang}/account/password/forgot`);
    }
  });

  it('the tests hit no failed requests, unexpected error responses or page errors', () => {
    assert.deepEqual(problems(watch), []);
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

    async function visit(u, status = 200) {
      const res = await sp.goto(portal.base + u);
      assert.equal(res.status(), status, `status of ${u}`);
      await settle(sp);
      await applied(u);
    }

    it('every page of the feature in both languages, with and without errors: no CSP violations', async () => {
      assert.ok(freshResetLink, 'the signed-out axe test made a fresh reset link');
      const token = encodeURIComponent(new URL(freshResetLink).searchParams.get('token'));
      for (const lang of ['zh', 'en']) {
        const zh = lang === 'zh';
        const button = (name) => main(sp).getByRole('button', { name, exact: true });
        await visit(`/${lang}/account/password/forgot`);
        await visit(`/${lang}/account/password/sent?email=nobody%40example.com`);
        await sp.getByLabel(zh ? '验证码' : 'Code', { exact: true }).fill('ABCD2345');
        assert.equal((await press(sp, button(zh ? '设置新密码' : 'Set new password'), '/account/password/sent')).status(), 400);
        await applied(`/${lang}/account/password/sent (with errors)`);
        await visit(`/${lang}/account/password/reset?token=${token}`);
        await visit(`/${lang}/account/password/reset?token=not-a-token`, 400);

        await visit(`/${lang}/account/login`);
        const who = zh ? ZH : EN;
        assert.equal((await logIn(sp, { email: who.email, password: who.newPassword, zh })).status(), 303);
        await arrive(sp, `/${lang}/account/`);
        for (const u of ['security', 'activity', 'password/change', 'email']) await visit(`/${lang}/account/${u}`);
        assert.equal((await press(sp, button(zh ? '发送确认链接' : 'Send confirmation link'), '/account/email')).status(), 400);
        await applied(`/${lang}/account/email (with errors)`);
        await visit(`/${lang}/account/password/change`);
        assert.equal((await press(sp, button(zh ? '更改密码' : 'Change password'), '/account/password/change')).status(), 400);
        await applied(`/${lang}/account/password/change (with errors)`);
        await logOut(sp, zh);
      }
      assert.deepEqual(problems(sw), []);
    });
  });
});

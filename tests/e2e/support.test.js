// Support tickets and article feedback in a real browser (issue 7): a logged-in user fills in
// the ticket form, attaches a screenshot, sends it and finds the ticket in "我的工单"; a form
// with a mistake keeps what was typed and says the file must be chosen again; "Was this
// helpful?" answers inline on the article. axe-core runs on every page; a second context
// enforces the Content-Security-Policy and must see no violation.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startPortal } = require('../lib/harness.js');
const { Mailbox } = require('../lib/http.js');
const w = require('../lib/wallet.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible,
} = require('./lib/browser.js');

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const DESCRIPTION = '我在充值页面用银行卡充值了 100 元，扣款成功了但余额没有变化，请帮忙查一下。';

// The 400 of the form sent with a mistake on purpose.
function expectedError(res) {
  return res.request().method() === 'POST' && res.status() === 400 && /\/support\/contact$/.test(new URL(res.url()).pathname);
}

describe('support tickets and feedback in a browser', () => {
  const ui = w.loadUi();
  let portal, browser, context, page, watch, user, shot, tmp;

  const main = (p) => p.getByRole('main');
  const settle = (p) => p.waitForLoadState('networkidle', { timeout: 10000 });
  async function arrive(p, pathname) {
    await p.waitForURL((u) => u.pathname === pathname, { timeout: 5000 });
    await settle(p);
  }
  async function visible(locator, what) {
    await locator.waitFor({ state: 'visible', timeout: 5000 }).catch(() => { throw new Error(`not visible: ${what}`); });
  }

  async function logIn(p) {
    await p.goto(`${portal.base}/zh/account/login`);
    await arrive(p, '/zh/account/login');
    await p.getByLabel('电子邮箱', { exact: true }).fill(user.email);
    await p.getByLabel('密码', { exact: true }).fill(w.PW);
    await main(p).getByRole('button', { name: '登录', exact: true }).click();
    await arrive(p, '/zh/account/');
  }

  // Fill in the ticket form as a person would; the page is at least SUPPORT_MIN_FILL old.
  async function fill(p, { subject, description, file }) {
    await p.getByLabel(ui.zh.support_topic, { exact: true }).selectOption('add');
    await p.getByLabel(ui.zh.support_subject, { exact: true }).fill(subject);
    await p.getByLabel(ui.zh.support_description, { exact: true }).fill(description);
    if (file) await p.getByLabel(ui.zh.support_files, { exact: true }).setInputFiles(file);
    await p.waitForTimeout(3200);
  }

  before(async () => {
    portal = await startPortal();
    const mail = new Mailbox(portal.mailDir);
    user = await w.newUser(portal, mail, ui, { who: 'e2e-support' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'okpay-e2e-support-'));
    shot = path.join(tmp, '截图.png');
    fs.writeFileSync(shot, PNG);
    browser = await launchBrowser();
    context = await newA11yContext(browser);
    page = await context.newPage();
    watch = await watchPage(page, { allowStatus: expectedError });
    await logIn(page);
  });

  after(async () => {
    if (browser) await browser.close();
    if (portal) await portal.stop();
    for (const dir of [tmp, portal && portal.dir, portal && path.dirname(portal.siteDir)]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the form with a mistake keeps what was typed and asks for the screenshot again', async () => {
    await page.goto(`${portal.base}/zh/support/contact`);
    await arrive(page, '/zh/support/contact');
    await visible(page.getByRole('heading', { level: 1, name: ui.zh.support_title }), 'form heading');
    await assertAccessible(page, '/zh/support/contact');
    const email = page.getByLabel(ui.zh.support_email, { exact: true });
    assert.equal(await email.inputValue(), user.email, 'the account address, fixed');
    assert.equal(await email.getAttribute('readonly'), '');
    await fill(page, { subject: '充值没到账', description: '太短了', file: shot });
    await main(page).getByRole('button', { name: ui.zh.support_submit, exact: true }).click();
    await arrive(page, '/zh/support/contact');
    const desc = page.getByLabel(ui.zh.support_description, { exact: true });
    assert.equal(await desc.inputValue(), '太短了');
    assert.equal(await desc.getAttribute('aria-invalid'), 'true');
    await visible(page.getByText(ui.zh.support_err_description_short).first(), 'the field error');
    await visible(page.getByRole('status').filter({ hasText: ui.zh.support_files_again }), 'choose the files again');
    assert.equal(await page.getByLabel(ui.zh.support_subject, { exact: true }).inputValue(), '充值没到账');
    await assertAccessible(page, '/zh/support/contact (errors)');
  });

  it('sends a ticket with a screenshot and finds it in 我的工单', async () => {
    await fill(page, { subject: '充值没到账', description: DESCRIPTION, file: shot });
    await main(page).getByRole('button', { name: ui.zh.support_submit, exact: true }).click();
    await arrive(page, '/zh/support/sent');
    const number = (await page.locator('#ticket-number').innerText()).trim();
    assert.match(number, /^S\d{8}$/);
    await assertAccessible(page, '/zh/support/sent');
    await main(page).getByRole('link', { name: ui.zh.support_tickets_link, exact: true }).click();
    await arrive(page, '/zh/support/tickets');
    await assertAccessible(page, '/zh/support/tickets');
    const row = main(page).getByRole('row').filter({ hasText: number });
    await visible(row, 'the ticket in the list');
    assert.match(await row.innerText(), new RegExp(ui.zh.support_status_open));
    await row.getByRole('link', { name: number }).click();
    await arrive(page, `/zh/support/tickets/${number}`);
    await assertAccessible(page, `/zh/support/tickets/${number}`);
    await visible(main(page).getByText(DESCRIPTION), 'the description in the conversation');
    const file = main(page).getByRole('link', { name: '截图.png' });
    await visible(file, 'the screenshot link');
    const res = await page.request.get(portal.base + (await file.getAttribute('href')));
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'image/png');
    assert.deepEqual(await res.body(), PNG);
  });

  it('the English form passes axe too', async () => {
    await page.goto(`${portal.base}/en/support/contact?subject=password`);
    await arrive(page, '/en/support/contact');
    await assertAccessible(page, '/en/support/contact?subject=password');
  });

  it('"Was this helpful?" answers inline, and the no-JavaScript thank-you page passes axe', async () => {
    await page.goto(`${portal.base}/zh/payments/send-money/`);
    await settle(page);
    const form = page.getByRole('group', { name: ui.zh.feedback_question });
    await form.getByRole('radio', { name: ui.zh.feedback_yes, exact: true }).check();
    await form.getByRole('button', { name: ui.zh.feedback_submit }).click();
    await visible(page.getByRole('status').filter({ hasText: ui.zh.feedback_thanks }), 'inline thanks');
    assert.equal(new URL(page.url()).pathname, '/zh/payments/send-money/', 'still on the article');
    await assertAccessible(page, '/zh/payments/send-money/ (after feedback)');
    await page.goto(`${portal.base}/zh/feedback?article=${encodeURIComponent('/zh/payments/send-money/')}`);
    await settle(page);
    await assertAccessible(page, '/zh/feedback');
  });

  it('the journey hit no failed requests, unexpected error responses or page errors', () => {
    assert.deepEqual(watch.problems(), []);
  });

  it('with the CSP enforced: form, list, ticket and inline feedback cause no violation', async () => {
    const strict = await newStrictContext(browser);
    try {
      const sp = await strict.newPage();
      const sw = await watchPage(sp);
      await sp.goto(`${portal.base}/zh/account/login`);
      await settle(sp);
      await sp.getByLabel('电子邮箱', { exact: true }).fill(user.email);
      await sp.getByLabel('密码', { exact: true }).fill(w.PW);
      await sp.getByRole('main').getByRole('button', { name: '登录', exact: true }).click();
      await arrive(sp, '/zh/account/');
      for (const u of ['/zh/support/contact', '/en/support/contact', '/zh/support/tickets']) {
        const r = await sp.goto(portal.base + u);
        assert.equal(r.status(), 200, u);
        await settle(sp);
        assert.ok(await sp.evaluate(() => document.documentElement.classList.contains('js')), `site.js ran on ${u}`);
      }
      await sp.getByRole('main').getByRole('link', { name: /^S\d{8}$/ }).first().click();
      await settle(sp);
      await sp.goto(`${portal.base}/en/security/faq/`);
      await settle(sp);
      const form = sp.getByRole('group', { name: ui.en.feedback_question });
      await form.getByRole('radio', { name: ui.en.feedback_no, exact: true }).check();
      await form.getByRole('button', { name: ui.en.feedback_submit }).click();
      await visible(sp.getByRole('status').filter({ hasText: ui.en.feedback_thanks }), 'inline thanks');
      assert.deepEqual(sw.problems(), []);
    } finally {
      await strict.close();
    }
  });
});

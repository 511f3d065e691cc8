// The wallet in a real browser: two users register and verify their addresses from the dev
// outbox; the first adds money by card through the add-money form, sends money to the second by
// email with a note (form → review → the one Confirm button), sees the receipt with its transfer
// number and finds the transfer in the history; the second logs in and finds the same transfer
// number in theirs. axe-core runs on the add-money, send, review, receipt and history pages, the
// send form is filled in and submitted with the keyboard alone, and the Content-Security-Policy
// is enforced on the same pages in a second context. Fields are found by their labels and buttons
// by role and name, as a person (or a screen reader) finds them; the words come from
// content/ui.conf, the file the pages are rendered from. Screenshots go to build/e2e-screenshots/.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startPortal } = require('../lib/harness.js');
const { Mailbox } = require('../lib/http.js');
const { loadUi } = require('../lib/page.js');
const {
  launchBrowser, newA11yContext, newStrictContext, watchPage, assertAccessible, screenshot,
} = require('./lib/browser.js');

const SHOTS = path.join(ROOT, 'build', 'e2e-screenshots');

const UI = loadUi();
// The page text of key in lang; a missing key is a test error, not a silent undefined.
function t(lang, key) {
  const v = UI[lang] && UI[lang][key];
  if (v === undefined) throw new Error(`content/ui.conf has no ${key} in [${lang}]`);
  return v;
}

const reEscape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Strong passphrases: long, unrelated words, nothing to do with the names or the addresses.
// The payer writes Chinese, the payee English: both languages are walked.
const PAYER = { lang: 'zh', name: '李伟', email: 'li.wei.wallet@example.com', password: '青蛙 lantern 纸船 orbit 1987 走廊' };
const PAYEE = { lang: 'en', name: 'Fang Wang', email: 'fang.wang.wallet@example.com', password: 'harbour quill 7 marmalade zenith' };

// The simulated processor's card that always goes through (cgi/card.h); an expiry years ahead.
const CARD = '4242 4242 4242 4242';
const EXPIRY = `12/${String((new Date().getUTCFullYear() + 4) % 100).padStart(2, '0')}`;
const CVC = '123';

const TOP_UP = { typed: '500', shown: '¥500.00', fee: '¥14.80' };
const SEND = { typed: '120.50', shown: '¥120.50', note: '周五聚餐 AA 🍜' };
const KEY_SEND = { typed: '8', shown: '¥8.00', note: 'keyboard only' };

const TRANSFER_NUMBER = /^T\d{15}$/;
const RECEIPT_PATH = (lang) => new RegExp(`^/${lang}/account/transactions/(T\\d{15})$`);

// The one error response the journey provokes on purpose: the payee asking for the payer's
// top-up receipt (404). Set once that number is known.
let foreignReceipt = null;
function expectedError(res) {
  return res.status() === 404 && res.request().method() === 'GET' && foreignReceipt !== null &&
    new URL(res.url()).pathname === foreignReceipt;
}

// The problems a watcher recorded, but for the favicon requests the browser itself cancels when
// the test moves on right after "load" (a missing favicon would still show as an HTTP error).
const problems = (w) => w.problems().filter((s) => !/^request failed: GET \S+\/favicon\.[^/\s]*: net::ERR_ABORTED$/.test(s));

describe('wallet in a browser: add money, send to a second user, find it on both sides', () => {
  let portal;
  let browser;
  let payerCtx; // both bypass CSP, only so that axe can be injected
  let payeeCtx;
  let payer;    // the payer's page
  let payee;    // the payee's page
  let watches = [];
  let mailbox;
  let topUpNumber = null;
  let sendNumber = null;

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
    const want = pathname instanceof RegExp ? (u) => pathname.test(u.pathname) : (u) => u.pathname === pathname;
    await p.waitForURL(want, { timeout: 5000 }).catch(async () => {
      throw new Error(`expected to arrive at ${pathname}, but the browser is at ${p.url()} ` +
        `("${(await p.locator('h1').first().innerText().catch(() => '?')).trim()}"` +
        `${await errorsOn(p)})`);
    });
    await settle(p);
  }

  // The messages a form shows (error summary, page-level problem), for failure messages.
  async function errorsOn(p) {
    const texts = await p.locator('[role="alert"], .field-error').allInnerTexts().catch(() => []);
    return texts.length ? `; the page says: ${texts.map((s) => s.trim().replace(/\s+/g, ' ')).join(' | ')}` : '';
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

  async function register(p, { name, email, password, lang }) {
    const zh = lang === 'zh';
    await p.getByLabel(zh ? '姓名' : 'Full name', { exact: true }).fill(name);
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    await p.getByLabel(zh ? '再次输入密码' : 'Password again', { exact: true }).fill(password);
    await p.getByLabel(zh ? /《服务条款》/ : /Terms of Service/).check();
    return press(p, p.getByRole('button', { name: zh ? '注册' : 'Create account', exact: true }), '/account/register');
  }

  async function logIn(p, { email, password, lang }) {
    const zh = lang === 'zh';
    await p.goto(`${portal.base}/${lang}/account/login`);
    await arrive(p, `/${lang}/account/login`);
    await p.getByLabel(zh ? '电子邮箱' : 'Email', { exact: true }).fill(email);
    await p.getByLabel(zh ? '密码' : 'Password', { exact: true }).fill(password);
    const res = await press(p, main(p).getByRole('button', { name: zh ? '登录' : 'Log in', exact: true }), '/account/login');
    assert.equal(res.status(), 303, `${email} logs in`);
    await arrive(p, `/${lang}/account/`);
  }

  // Open the outbox and the newest mail to `to` with this subject; resolves to the mail's text.
  async function openNewestMail(p, to, subject) {
    await p.goto(`${portal.base}/_dev/mail`);
    await arrive(p, '/_dev/mail');
    const row = main(p).getByRole('table').getByRole('row')
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
  async function registerAndVerify(p, who) {
    const { lang } = who;
    const zh = lang === 'zh';
    await p.goto(`${portal.base}/${lang}/account/register`);
    await arrive(p, `/${lang}/account/register`);
    const res = await register(p, who);
    assert.equal(res.status(), 303, `the register form is accepted for ${who.email}`);
    await arrive(p, `/${lang}/account/register/sent`);

    await openNewestMail(p, who.email, zh ? '请验证你的 OKpay 邮箱' : 'Verify your OKpay email address');
    await main(p).getByRole('link', { name: new RegExp(`/${lang}/account/verify\\?token=`) }).click();
    await arrive(p, `/${lang}/account/verify`);
    const done = await press(p, main(p).getByRole('button', { name: zh ? '确认邮箱' : 'Confirm email', exact: true }), '/account/verify');
    assert.equal(done.status(), 303, `the address ${who.email} is confirmed`);
    await arrive(p, `/${lang}/account/verify/done`);
  }

  // The transfer number a receipt page shows (id="transfer-number"), checked against the URL.
  async function receiptNumber(p, lang) {
    const m = new URL(p.url()).pathname.match(RECEIPT_PATH(lang));
    assert.ok(m, `a receipt address /${lang}/account/transactions/<number>: ${p.url()}`);
    const shown = (await p.locator('#transfer-number').innerText()).trim();
    assert.match(shown, TRANSFER_NUMBER, 'the receipt shows a transfer number: T, 8 date digits, 6 sequence digits, a check digit');
    assert.equal(shown, m[1], 'the receipt shows the number of its address');
    return shown;
  }

  // The history row of a transfer (<tr data-number>), waiting until it is shown.
  async function historyRow(p, number) {
    const row = main(p).locator(`tr[data-number="${number}"]`);
    await visible(row, `the history row of ${number}`);
    return row;
  }

  before(async () => {
    portal = await startPortal();
    mailbox = new Mailbox(portal.mailDir);
    browser = await launchBrowser();
    payerCtx = await newA11yContext(browser);
    payeeCtx = await newA11yContext(browser);
    payer = await payerCtx.newPage();
    payee = await payeeCtx.newPage();
    watches = [await watchPage(payer, { allowStatus: expectedError }), await watchPage(payee, { allowStatus: expectedError })];
  });

  after(async () => {
    if (browser) await browser.close();
    if (portal) await portal.stop();
    for (const dir of [portal && portal.dir, portal && path.dirname(portal.siteDir)]) {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the pages use the names the help center articles quote (content/FACTS.md, Money)', () => {
    const quoted = {
      overview_add_money: ['充值', 'Add money'], overview_send_money: ['转账', 'Send money'],
      overview_transactions: ['交易记录', 'Transactions'], addmoney_button: ['充值', 'Add money'],
      addmoney_method_card: ['银行卡', 'Card'], addmoney_method_bank: ['银行转账', 'Bank transfer'],
      send_method_balance: ['余额', 'Balance'], send_method_card: ['银行卡', 'Card'],
      send_button: ['下一步', 'Continue'], review_title: ['核对转账信息', 'Check your transfer'],
      review_confirm: ['确认转账', 'Confirm and send'], review_edit: ['修改', 'Edit'],
      review_arrival_instant: ['立即到账', 'Instantly'], review_expired_again: ['重新开始', 'Start again'],
      tx_title: ['交易记录', 'Transactions'], tx_search: ['交易号', 'Transfer number'],
      tx_filter_button: ['筛选', 'Apply filters'], tx_csv_link: ['下载 CSV 对账单', 'Download CSV statement'],
      receipt_number: ['交易号', 'Transfer number'],
    };
    for (const [key, [zh, en]] of Object.entries(quoted)) {
      assert.equal(t('zh', key), zh, `${key} [zh]: the articles quote 「${zh}」`);
      assert.equal(t('en', key), en, `${key} [en]: the articles quote "${en}"`);
    }
  });

  it('two users register and verify their addresses from the dev outbox', async () => {
    await registerAndVerify(payer, PAYER);
    await registerAndVerify(payee, PAYEE);
  });

  it(`the payer adds ${TOP_UP.shown} by card through the add-money form and lands on the receipt`, async () => {
    const lang = PAYER.lang;
    await logIn(payer, PAYER);
    await main(payer).getByRole('link', { name: t(lang, 'overview_add_money'), exact: true }).click();
    await arrive(payer, `/${lang}/account/add-money`);
    await visible(heading(payer, t(lang, 'addmoney_title')), 'add-money heading');
    await assertAccessible(payer, `/${lang}/account/add-money`);
    await screenshot(payer, SHOTS, 'wallet-add-money-zh', { width: 1280 });

    await payer.getByLabel(t(lang, 'addmoney_amount'), { exact: true }).fill(TOP_UP.typed);
    const card = payer.getByRole('radio', { name: t(lang, 'addmoney_method_card'), exact: true });
    assert.ok(await card.isChecked(), 'paying by card is the default');
    await payer.getByLabel(t(lang, 'addmoney_card_number'), { exact: true }).fill(CARD);
    await payer.getByLabel(t(lang, 'addmoney_card_expiry'), { exact: true }).fill(EXPIRY);
    await payer.getByLabel(t(lang, 'addmoney_card_cvc'), { exact: true }).fill(CVC);
    const res = await press(payer, main(payer).getByRole('button', { name: t(lang, 'addmoney_button'), exact: true }), '/account/add-money');
    assert.equal(res.status(), 303, `the top-up is accepted${await errorsOn(payer)}`);
    await arrive(payer, RECEIPT_PATH(lang));
    assert.equal(new URL(payer.url()).searchParams.get('done'), '1', 'the receipt is shown as the result (?done=1)');
    topUpNumber = await receiptNumber(payer, lang);
    await visible(main(payer).getByText(t(lang, 'receipt_done_added'), { exact: false }).first(), 'the "money added" banner');
    const text = await main(payer).innerText();
    assert.ok(text.includes(TOP_UP.shown), `the receipt shows the amount ${TOP_UP.shown}`);
    assert.ok(text.includes(TOP_UP.fee), `the receipt shows the card fee ${TOP_UP.fee} (2.9% + ¥0.30)`);
    assert.ok(!text.includes(CARD) && !text.includes(CARD.replace(/ /g, '')), 'the receipt never shows the full card number');
    await assertAccessible(payer, `/${lang}/account/transactions/${topUpNumber} (top-up receipt)`);
  });

  it('the payer sends money to the payee by email with a note: form → review → Confirm → receipt', async () => {
    const lang = PAYER.lang;
    await payer.goto(`${portal.base}/${lang}/account/`);
    await arrive(payer, `/${lang}/account/`);
    await main(payer).getByRole('link', { name: t(lang, 'overview_send_money'), exact: true }).click();
    await arrive(payer, `/${lang}/account/send`);
    await visible(heading(payer, t(lang, 'send_title')), 'send heading');
    assert.ok((await main(payer).innerText()).includes(TOP_UP.shown), `the send form shows the balance ${TOP_UP.shown}`);
    await assertAccessible(payer, `/${lang}/account/send`);
    await screenshot(payer, SHOTS, 'wallet-send-zh', { width: 1280 });
    await screenshot(payer, SHOTS, 'wallet-send-zh-390', { width: 390, height: 844 });
    await payer.setViewportSize({ width: 1280, height: 800 });

    await payer.getByLabel(t(lang, 'send_recipient'), { exact: true }).fill(PAYEE.email);
    await payer.getByLabel(t(lang, 'send_amount'), { exact: true }).fill(SEND.typed);
    await payer.getByLabel(t(lang, 'send_note'), { exact: true }).fill(SEND.note);
    const balance = payer.getByRole('radio', { name: t(lang, 'send_method_balance'), exact: true });
    assert.ok(await balance.isChecked(), 'paying from the balance is the default');
    const res = await press(payer, main(payer).getByRole('button', { name: t(lang, 'send_button'), exact: true }), '/account/send');
    assert.equal(res.status(), 303, `the send form is accepted${await errorsOn(payer)}`);
    await arrive(payer, `/${lang}/account/send/review`);
    assert.match(new URL(payer.url()).searchParams.get('key') || '', /^[A-Za-z0-9_-]{100,}$/, 'the review carries its one-time key');

    // The review: nothing has moved yet.
    await visible(heading(payer, t(lang, 'review_title')), 'review heading');
    assert.equal((await payer.locator('#review-name').innerText()).trim(), 'Fang W***', 'the payee\'s name, partly hidden');
    assert.equal((await payer.locator('#review-amount').innerText()).trim(), SEND.shown);
    assert.equal((await payer.locator('#review-fee').innerText()).trim(), '¥0.00', 'paying from the balance is free');
    assert.equal((await payer.locator('#review-total').innerText()).trim(), SEND.shown);
    const review = await main(payer).innerText();
    assert.ok(review.includes(PAYEE.email), 'the review shows the address as typed');
    assert.ok(review.includes(SEND.note), 'the review shows the note');
    assert.ok(review.includes(t(lang, 'review_arrival_instant')), 'the review says the money arrives instantly');
    await assertAccessible(payer, `/${lang}/account/send/review`);
    await screenshot(payer, SHOTS, 'wallet-review-zh', { width: 1280 });

    // Only the one Confirm button sends.
    const buttons = (await main(payer).getByRole('button').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(buttons, [t(lang, 'review_confirm')], 'the review page has exactly one button, Confirm');
    const confirm = await press(payer, main(payer).getByRole('button', { name: t(lang, 'review_confirm'), exact: true }), '/account/send/confirm');
    assert.equal(confirm.status(), 303, `Confirm is accepted${await errorsOn(payer)}`);
    await arrive(payer, RECEIPT_PATH(lang));
    sendNumber = await receiptNumber(payer, lang);
    assert.notEqual(sendNumber, topUpNumber, 'the transfer has its own number');
    await visible(main(payer).getByText(t(lang, 'receipt_done_sent'), { exact: false }).first(), 'the "money sent" banner');
    const receipt = await main(payer).innerText();
    assert.ok(receipt.includes(SEND.shown), 'the receipt shows the amount');
    assert.ok(receipt.includes(SEND.note), 'the receipt shows the note');
    assert.ok(receipt.includes('Fang W***'), 'the receipt names the payee, partly hidden');
    await assertAccessible(payer, `/${lang}/account/transactions/${sendNumber} (receipt)`);
    await screenshot(payer, SHOTS, 'wallet-receipt-zh', { width: 1280 });
  });

  it('both sides get a mail with the transfer number', async () => {
    const toPayer = await mailbox.next((m) => m.to && m.to.includes(PAYER.email) && (m.text || '').includes(sendNumber), 5000);
    const toPayee = await mailbox.next((m) => m.to && m.to.includes(PAYEE.email) && (m.text || '').includes(sendNumber), 5000);
    assert.ok(toPayer.text.includes(SEND.shown), 'the payer\'s mail has the amount');
    assert.ok(toPayee.text.includes(SEND.shown), 'the payee\'s mail has the amount');
  });

  it('the payer finds the transfer in their history, and by searching for its number', async () => {
    const lang = PAYER.lang;
    await payer.goto(`${portal.base}/${lang}/account/`);
    await arrive(payer, `/${lang}/account/`);
    await main(payer).getByRole('link', { name: t(lang, 'overview_transactions'), exact: true }).click();
    await arrive(payer, `/${lang}/account/transactions`);
    await visible(heading(payer, t(lang, 'tx_title')), 'history heading');
    const row = await historyRow(payer, sendNumber);
    const cells = await row.innerText();
    assert.ok(cells.includes(SEND.shown), `the row shows the amount: ${cells}`);
    assert.ok(cells.includes(SEND.note), `the row shows the note: ${cells}`);
    assert.ok(cells.includes('Fang W***'), `the row names the payee: ${cells}`);
    await historyRow(payer, topUpNumber);
    await assertAccessible(payer, `/${lang}/account/transactions`);
    await screenshot(payer, SHOTS, 'wallet-history-zh', { width: 1280 });
    await screenshot(payer, SHOTS, 'wallet-history-zh-390', { width: 390, height: 844 });
    await payer.setViewportSize({ width: 1280, height: 800 });

    // Search: the number typed in lower case with spaces around it, as pasted.
    await payer.getByLabel(t(lang, 'tx_search'), { exact: true }).fill(`  ${sendNumber.toLowerCase()} `);
    await Promise.all([
      payer.waitForURL((u) => u.pathname === `/${lang}/account/transactions` && u.searchParams.has('q'), { timeout: 5000 }),
      main(payer).getByRole('button', { name: t(lang, 'tx_filter_button'), exact: true }).click(),
    ]);
    await settle(payer);
    await historyRow(payer, sendNumber);
    assert.equal(await main(payer).locator('tr[data-number]').count(), 1, 'the search finds exactly that transfer');
    await assertAccessible(payer, `/${lang}/account/transactions?q=… (search)`);

    // The row leads to the receipt.
    await (await historyRow(payer, sendNumber)).getByRole('link').first().click();
    await arrive(payer, RECEIPT_PATH(lang));
    assert.equal(await receiptNumber(payer, lang), sendNumber);
  });

  it('the payee logs in and finds the same transfer number in their history and its receipt', async () => {
    const lang = PAYEE.lang;
    await logIn(payee, PAYEE);
    await main(payee).getByRole('link', { name: t(lang, 'overview_transactions'), exact: true }).click();
    await arrive(payee, `/${lang}/account/transactions`);
    await visible(heading(payee, t(lang, 'tx_title')), 'English history heading');
    const row = await historyRow(payee, sendNumber);
    const cells = await row.innerText();
    assert.ok(cells.includes(SEND.shown), `the row shows the amount: ${cells}`);
    assert.ok(cells.includes(SEND.note), `the row shows the note: ${cells}`);
    assert.ok(cells.includes('李*'), `the row names the payer, partly hidden: ${cells}`);
    assert.equal(await main(payee).locator(`tr[data-number="${topUpNumber}"]`).count(), 0, 'the payer\'s top-up is not in the payee\'s history');
    await assertAccessible(payee, `/${lang}/account/transactions`);
    await screenshot(payee, SHOTS, 'wallet-history-en', { width: 1280 });

    await row.getByRole('link').first().click();
    await arrive(payee, RECEIPT_PATH(lang));
    assert.equal(await receiptNumber(payee, lang), sendNumber, 'the payee\'s receipt has the same number');
    assert.ok((await main(payee).innerText()).includes(SEND.shown));
    await assertAccessible(payee, `/${lang}/account/transactions/${sendNumber} (payee's receipt)`);

    // Someone else's receipt is not there for the payee.
    foreignReceipt = `/${lang}/account/transactions/${topUpNumber}`;
    const other = await payee.goto(portal.base + foreignReceipt);
    assert.equal(other.status(), 404, 'the payer\'s top-up receipt is not found for the payee');
    await payee.goBack();
  });

  it('the English pages pass axe too: add money, send, review', async () => {
    const lang = PAYEE.lang;
    await payee.goto(`${portal.base}/${lang}/account/add-money`);
    await arrive(payee, `/${lang}/account/add-money`);
    await visible(heading(payee, t(lang, 'addmoney_title')), 'English add-money heading');
    await assertAccessible(payee, `/${lang}/account/add-money`);
    await payee.goto(`${portal.base}/${lang}/account/send`);
    await arrive(payee, `/${lang}/account/send`);
    await assertAccessible(payee, `/${lang}/account/send`);
    // A review paid by card: the card fields are on the review page.
    await payee.getByLabel(t(lang, 'send_recipient'), { exact: true }).fill(PAYER.email);
    await payee.getByLabel(t(lang, 'send_amount'), { exact: true }).fill('10');
    await payee.getByRole('radio', { name: t(lang, 'send_method_card'), exact: true }).check();
    const res = await press(payee, main(payee).getByRole('button', { name: t(lang, 'send_button'), exact: true }), '/account/send');
    assert.equal(res.status(), 303, `the English send form is accepted${await errorsOn(payee)}`);
    await arrive(payee, `/${lang}/account/send/review`);
    assert.equal((await payee.locator('#review-fee').innerText()).trim(), '¥0.59', 'the card fee of ¥10.00: 0.29 + 0.30');
    assert.equal((await payee.locator('#review-total').innerText()).trim(), '¥10.59');
    await visible(payee.getByLabel(t(lang, 'addmoney_card_number'), { exact: true }), 'the card number field on the review');
    await assertAccessible(payee, `/${lang}/account/send/review (card)`);
    await screenshot(payee, SHOTS, 'wallet-review-card-en', { width: 1280 });
  });

  it('a bank transfer top-up: the instructions page with the reference passes axe; the history shows it pending', async () => {
    const lang = PAYEE.lang;
    await payee.goto(`${portal.base}/${lang}/account/add-money`);
    await arrive(payee, `/${lang}/account/add-money`);
    await payee.getByLabel(t(lang, 'addmoney_amount'), { exact: true }).fill('1,000');
    await payee.getByRole('radio', { name: t(lang, 'addmoney_method_bank'), exact: true }).check();
    const res = await press(payee, main(payee).getByRole('button', { name: t(lang, 'addmoney_button'), exact: true }), '/account/add-money');
    assert.equal(res.status(), 303, `the bank transfer request is accepted${await errorsOn(payee)}`);
    await arrive(payee, `/${lang}/account/add-money/bank`);
    await visible(heading(payee, t(lang, 'addmoney_bank_title')), 'bank transfer heading');
    const ref = (await payee.locator('#deposit-reference').innerText()).trim();
    assert.match(ref, /^D[A-Z0-9]{8}$/, 'the reference: D and 8 characters');
    assert.equal(new URL(payee.url()).searchParams.get('ref'), ref);
    const text = await main(payee).innerText();
    assert.ok(text.includes('¥1,000.00'), 'the instructions show the amount');
    assert.ok(text.includes(t(lang, 'addmoney_bank_status_pending')), 'the deposit is pending');
    await assertAccessible(payee, `/${lang}/account/add-money/bank`);
    await screenshot(payee, SHOTS, 'wallet-add-money-bank-en', { width: 1280 });

    await main(payee).getByRole('link', { name: t(lang, 'addmoney_bank_history'), exact: true }).click();
    await arrive(payee, `/${lang}/account/transactions`);
    const row = main(payee).locator(`tr[data-reference="${ref}"]`);
    await visible(row, 'the pending deposit in the history');
    assert.ok((await row.innerText()).includes(t(lang, 'tx_status_pending')), 'shown as pending');
  });

  it('keyboard only: the send form is filled in and submitted, and Confirm pressed, without a mouse', async () => {
    const lang = PAYER.lang;
    await payer.goto(`${portal.base}/${lang}/account/send`);
    await arrive(payer, `/${lang}/account/send`);
    const active = () => payer.evaluate(() => {
      const el = document.activeElement;
      return el ? { id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', text: (el.innerText || el.value || '').trim(), visibleFocus: el.matches(':focus-visible') } : null;
    });
    // Tab from the top of the page to the recipient field, as a keyboard user does.
    let seen = [];
    for (let i = 0; i < 60; i++) {
      await payer.keyboard.press('Tab');
      const a = await active();
      seen.push(a && (a.id || a.tag));
      if (a && a.id === 'recipient') break;
    }
    assert.equal((await active()).id, 'recipient', `Tab reaches the recipient field: ${seen.join(' → ')}`);
    assert.ok((await active()).visibleFocus, 'the focused field shows a focus indicator');
    await payer.keyboard.type(PAYEE.email);
    await payer.keyboard.press('Tab');
    assert.equal((await active()).id, 'amount', 'Tab goes from the recipient to the amount');
    await payer.keyboard.type(KEY_SEND.typed);
    await payer.keyboard.press('Tab');
    assert.equal((await active()).id, 'note', 'Tab goes from the amount to the note');
    await payer.keyboard.type(KEY_SEND.note);
    await payer.keyboard.press('Tab');
    let a = await active();
    assert.ok(a.tag === 'input' && a.type === 'radio', `Tab goes from the note to the payment method: ${JSON.stringify(a)}`);
    // The arrow keys move within the radio group; back to the balance.
    await payer.keyboard.press('ArrowRight');
    assert.ok(await payer.getByRole('radio', { name: t(lang, 'send_method_card'), exact: true }).isChecked(), 'ArrowRight chooses the card');
    await payer.keyboard.press('ArrowLeft');
    assert.ok(await payer.getByRole('radio', { name: t(lang, 'send_method_balance'), exact: true }).isChecked(), 'ArrowLeft chooses the balance again');
    // On to the submit button and press it with Enter.
    for (let i = 0; i < 5; i++) {
      await payer.keyboard.press('Tab');
      a = await active();
      if (a.tag === 'button') break;
    }
    assert.equal(a.tag, 'button', 'Tab reaches the submit button');
    assert.equal(a.text, t(lang, 'send_button'));
    assert.ok(a.visibleFocus, 'the focused button shows a focus indicator');
    const [res] = await Promise.all([
      payer.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/account/send')),
      payer.keyboard.press('Enter'),
    ]);
    assert.equal(res.status(), 303, `Enter submits the send form${await errorsOn(payer)}`);
    await arrive(payer, `/${lang}/account/send/review`);
    assert.equal((await payer.locator('#review-amount').innerText()).trim(), KEY_SEND.shown);

    // The review's Confirm button, reached with Tab and pressed with Space (the header's log-out
    // button comes first).
    seen = [];
    for (let i = 0; i < 60; i++) {
      await payer.keyboard.press('Tab');
      a = await active();
      seen.push(a && (a.id || a.text || a.tag));
      if (a && a.tag === 'button' && a.text === t(lang, 'review_confirm')) break;
    }
    assert.equal(a.text, t(lang, 'review_confirm'), `Tab reaches Confirm: ${seen.join(' → ')}`);
    const [done] = await Promise.all([
      payer.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith('/account/send/confirm')),
      payer.keyboard.press('Space'),
    ]);
    assert.equal(done.status(), 303, `Space on Confirm sends${await errorsOn(payer)}`);
    await arrive(payer, RECEIPT_PATH(lang));
    const n = await receiptNumber(payer, lang);
    assert.ok(n !== sendNumber && n !== topUpNumber, 'a new transfer');
  });

  it('the journey hit no failed requests, error responses or page errors', () => {
    assert.deepEqual(watches.flatMap(problems), []);
  });

  it('the wallet pages pass axe in the dark colour scheme too', async () => {
    const dark = await newA11yContext(browser, { colorScheme: 'dark' });
    try {
      const p = await dark.newPage();
      await logIn(p, PAYER);
      for (const u of ['/zh/account/', '/zh/account/add-money', '/zh/account/send', '/zh/account/transactions',
        `/zh/account/transactions/${sendNumber}`, '/en/account/transactions']) {
        const res = await p.goto(portal.base + u);
        assert.equal(res.status(), 200, `status of ${u}`);
        await settle(p);
        await assertAccessible(p, `${u} (dark)`);
      }
      await p.goto(`${portal.base}/zh/account/send`);
      await settle(p);
      await p.getByLabel(t('zh', 'send_recipient'), { exact: true }).fill(PAYEE.email);
      await p.getByLabel(t('zh', 'send_amount'), { exact: true }).fill('1');
      await p.getByRole('radio', { name: t('zh', 'send_method_card'), exact: true }).check();
      assert.equal((await press(p, main(p).getByRole('button', { name: t('zh', 'send_button'), exact: true }), '/account/send')).status(), 303);
      await arrive(p, '/zh/account/send/review');
      await assertAccessible(p, '/zh/account/send/review, card (dark)');
    } finally {
      await dark.close();
    }
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

    it('add money, send, history and receipt in both languages: styled, scripted, no CSP violations', async () => {
      await logIn(sp, PAYER);
      for (const lang of ['zh', 'en']) {
        for (const u of [`/${lang}/account/add-money`, `/${lang}/account/send`, `/${lang}/account/transactions`,
          `/${lang}/account/transactions/${sendNumber}`]) {
          const res = await sp.goto(portal.base + u);
          assert.equal(res.status(), 200, `status of ${u}`);
          await settle(sp);
          assert.ok(await sp.evaluate(() => document.documentElement.classList.contains('js')), `site.js ran on ${u}`);
          const styled = await sp.evaluate(() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 0);
          assert.ok(styled, `the stylesheet applied on ${u}`);
        }
      }
      assert.deepEqual(problems(sw), []);
    });
  });
});

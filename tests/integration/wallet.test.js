// The wallet over HTTP (issue 5): adding money by card and bank transfer, sending it with a
// review and one Confirm, refusals, idempotency under concurrency, history, receipts and the
// CSV statement. Real nginx and okpay-portal (tests/lib/harness.js); the ledger is read with
// the sqlite3 CLI and checked with okpay-admin audit after every test.
'use strict';
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client, Mailbox } = require('../lib/http');
const w = require('../lib/wallet');

const {
  CARDS, GOOD_EXPIRY, esc, tag, byId, textById, inputValue, hiddenInputs, historyRows, yuan, decimal, minorOf,
  cardFee, cstDay, parseCsv, sql, q, balance, accountNumber, systemBalance, ledger, count, admin,
  addMoney, topUp, sendForm, confirm, receiptNumber, sendMoney, errorsOf,
} = w;

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
// A valid card number that no page has a reason to show (unlike the 4242 test card).
const ECHO_CARD = '5555 5555 5555 4444';

// UI keys of card field errors (helper A's page; content/ui.conf).
const CARD_ERR = {
  number: 'addmoney_err_card_number',
  expiry: 'addmoney_err_card_expiry',
  expired: 'addmoney_err_card_expired',
  cvc: 'addmoney_err_card_cvc',
  numberEmpty: 'addmoney_err_card_number_empty',
  expiryEmpty: 'addmoney_err_card_expiry_empty',
  cvcEmpty: 'addmoney_err_card_cvc_empty',
};

// An account number (10 digits, Luhn check digit last) for a serial no wallet has.
function accountNumberOf(serial) {
  const payload = String(serial).padStart(9, '0');
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return payload + ((10 - (sum % 10)) % 10);
}

const group = (n) => `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('wallet over nginx', () => {
  const ui = w.loadUi();
  const portals = [];
  let site, srv, mail;

  // The message of a UI key; fails clearly when the key does not exist.
  function msg(lang, key) {
    assert.ok(ui[lang] && typeof ui[lang][key] === 'string', `content/ui.conf [${lang}] has ${key}`);
    return ui[lang][key];
  }

  // Field error text of a re-rendered form must be exactly the message of key.
  function assertFieldError(r, field, lang, key, what = '') {
    assert.equal(r.status, 400, `${what}: status ${r.status} ${errorsOf(r.text)}`);
    assert.equal(textById(r.text, `${field}-error`), msg(lang, key), `${what}: ${field}-error (${errorsOf(r.text)})`);
    assert.ok(r.text.includes(`href="#${field}"`), `${what}: ${field} listed in the error summary`);
  }

  function assertPageError(r, lang, key, what = '') {
    assert.equal(r.status, 400, `${what}: status ${r.status} ${errorsOf(r.text)}`);
    assert.ok(r.text.includes(esc(msg(lang, key))), `${what}: the page says ${JSON.stringify(msg(lang, key))} (${errorsOf(r.text)})`);
  }

  // No card number, grouped or not, anywhere in a response.
  function assertNoCard(r, number, what = '') {
    const digits = number.replace(/\D/g, '');
    assert.ok(!r.text.includes(number) && !r.text.includes(digits), `${what}: the card number is echoed`);
    const v = inputValue(r.text, 'card_number');
    assert.ok(v === null || v === '', `${what}: card_number input keeps ${JSON.stringify(v)}`);
    const cvc = inputValue(r.text, 'card_cvc');
    assert.ok(cvc === null || cvc === '', `${what}: card_cvc input keeps ${JSON.stringify(cvc)}`);
  }

  const user = (opts) => w.newUser(srv, mail, ui, opts);
  // The next mail to `to` whose text mentions `needle`; its subject must be ui[lang][subjectKey].
  async function mailWith(to, needle, lang, subjectKey) {
    const m = await mail.next((x) => x.to === to && (x.text || '').includes(needle));
    assert.equal(m.subject, msg(lang, subjectKey), `subject of the mail to ${to} about ${needle}`);
    assert.ok((m.html || '').includes(needle), `the HTML part mentions ${needle} too`);
    return m;
  }

  before(async () => {
    site = h.buildSite();
    srv = await h.startPortal({ siteDir: site });
    portals.push(srv);
    mail = new Mailbox(srv.mailDir);
  });

  afterEach(() => {
    for (const p of portals) w.assertAudit(p.db);
  });

  after(async () => {
    await Promise.all(portals.map((p) => p.stop()));
    await sleep(300);
    for (const p of portals) assert.doesNotMatch(p.stderr(), SANITIZER, `sanitizer report:\n${p.stderr()}`);
  });

  // --- add money by card -------------------------------------------------------------------

  it('adds money by card: receipt, balance, fee to fee income, a mail; the same key again adds nothing', async () => {
    const u = await user({ who: 'topup' });
    const form = await u.c.page('/zh/account/add-money');
    assert.equal(form.status, 200);
    const key = hiddenInputs(form.text, '/account/add-money').key;
    assert.match(key || '', /^[A-Za-z0-9_-]{20,}$/, 'a hidden idempotency key');
    assert.notEqual(hiddenInputs((await u.c.page('/zh/account/add-money')).text, '/account/add-money').key, key, 'a fresh key per GET');
    assert.ok(tag(form.text, 'input[^>]*name="method"[^>]*value="card"[^>]*checked|input[^>]*checked[^>]*name="method"[^>]*value="card"'), 'card is the default method');
    assert.ok(tag(form.text, 'input[^>]*name="method"[^>]*value="bank"'));
    for (const f of ['amount', 'card_number', 'card_expiry', 'card_cvc']) assert.notEqual(inputValue(form.text, f), null, `input ${f}`);
    assert.ok(form.text.includes('2.9%') && form.text.includes('¥0.30'), 'shows the fee rule');

    const ledger0 = ledger(srv.db);
    const fee0 = systemBalance(srv.db, 'fee_income');
    const clearing0 = systemBalance(srv.db, 'card_clearing');
    const amount = 123450;
    const fee = cardFee(amount);
    assert.equal(fee, 3610);
    const r = await addMoney(u.c, { amount: '1,234.50' }, { key });
    assert.equal(r.status, 303, errorsOf(r.text));
    const number = receiptNumber(r.location);
    assert.ok(number, r.location);
    assert.equal(balance(srv.db, u.email), amount);
    assert.equal(systemBalance(srv.db, 'fee_income') - fee0, fee, 'the fee goes to fee income');
    assert.equal(systemBalance(srv.db, 'card_clearing') - clearing0, -(amount + fee), 'the card pays amount and fee');
    const after1 = ledger(srv.db);
    assert.equal(after1.transfers, ledger0.transfers + 1);
    assert.equal(after1.entries, ledger0.entries + 3);
    assert.equal(sql(srv.db, `select kind, method, amount, fee, coalesce(from_user, 0), to_user, card from transfers where number = ${q(number)}`),
      `top_up|card|${amount}|${fee}|0|${u.id}|visa •••• 4242`);

    // Only brand and last four are stored or logged.
    const dump = sql(srv.db, '.dump');
    assert.ok(!dump.includes('4242424242424242') && !dump.includes('4242 4242 4242 4242'), 'the full card number is in the database');
    const log = fs.readFileSync(path.join(srv.dir, 'portal.log'), 'utf8');
    assert.ok(!log.includes('4242424242424242') && !log.includes('4242+4242') && !log.includes('4242%20'), 'the card number is in the log');

    const receipt = await u.c.get(r.location);
    assert.equal(receipt.status, 200);
    assert.equal(textById(receipt.text, 'transfer-number'), number);
    assert.ok(receipt.text.includes(yuan(amount)), 'the receipt shows the amount');
    assert.ok(receipt.text.includes(yuan(fee)), 'the receipt shows the fee');
    assert.ok(receipt.text.includes('•••• 4242'), 'the receipt names the card by its last four');
    const added = await mailWith(u.email, number, 'zh', 'mail_money_added_subject');
    assert.ok(added.text.includes(yuan(amount)), 'the mail says how much');
    assert.ok(!added.text.includes('4242 4242 4242 4242') && !added.text.includes('4242424242424242'), 'no card number in the mail');

    // The same form submitted again (a double click, a retry): the same transfer, nothing more.
    const again = await addMoney(u.c, { amount: '1,234.50' }, { key });
    assert.equal(again.status, 303);
    assert.equal(again.location, r.location);
    assert.deepEqual(ledger(srv.db), after1);
    assert.equal(balance(srv.db, u.email), amount);

    // English, the card in another format (no spaces), MMYY expiry.
    const en = await addMoney(u.c, { amount: '0.01', card_number: '4242424242424242', card_expiry: GOOD_EXPIRY.replace('/', '') }, { lang: 'en' });
    assert.equal(en.status, 303, errorsOf(en.text));
    assert.ok(receiptNumber(en.location, 'en'), en.location);
    assert.equal(balance(srv.db, u.email), amount + 1);
  });

  it('refuses a declined card and a card without funds, keeping the amount and changing nothing', async () => {
    const u = await user({ who: 'decline' });
    const ledger0 = ledger(srv.db);
    for (const [lang, card, key] of [['zh', CARDS.declined, 'wallet_err_card_declined'], ['en', CARDS.declined, 'wallet_err_card_declined'],
      ['zh', CARDS.noFunds, 'wallet_err_card_no_funds'], ['en', CARDS.noFunds, 'wallet_err_card_no_funds']]) {
      const r = await addMoney(u.c, { amount: '66.60', card_number: card }, { lang });
      assertFieldError(r, 'card_number', lang, key, `${lang} ${card}`);
      assert.equal(inputValue(r.text, 'amount'), '66.60', 'keeps the amount');
      // The wallet saw that request: a new attempt is a new request with a key of its own.
      const fresh = hiddenInputs(r.text, '/account/add-money').key;
      assert.match(fresh || '', /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(fresh, r.sent.key, 'a fresh key after a refusal by the card processor');
      assertNoCard(r, card, `${lang} ${card}`);
      assert.deepEqual(ledger(srv.db), ledger0, `${lang} ${card} changed the ledger`);
    }
    assert.equal(balance(srv.db, u.email), 0);
    // The form as re-rendered, now with a good card, goes through.
    const retry = await addMoney(u.c, { amount: '66.60', card_number: CARDS.declined });
    assert.equal(retry.status, 400);
    const ok = await u.c.post('/zh/account/add-money', { ...hiddenInputs(retry.text, '/account/add-money'), amount: '66.60', method: 'card', card_number: CARDS.ok, card_expiry: GOOD_EXPIRY, card_cvc: '123' });
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.equal(balance(srv.db, u.email), 6660);
  });

  it('refuses every bad amount with its own message in zh and en, keeps it, never echoes the card', async () => {
    const u = await user({ who: 'amounts' });
    const ledger0 = ledger(srv.db);
    const cases = [
      ['-5', 'err_amount_negative'],
      ['−5.00', 'err_amount_negative'],
      ['0', 'err_amount_zero'],
      ['0.00', 'err_amount_zero'],
      ['1e3', 'err_amount_exponent'],
      ['1.234', 'err_amount_too_many_decimals'],
      ['12.300', 'err_amount_too_many_decimals'],
      ['99999999999999999999999', 'err_amount_too_large'],
      ['１２３', 'err_amount_non_ascii_digits'],
      ['1,23,4', 'err_amount_bad_grouping'],
      ['', 'err_amount_empty'],
      ['   ', 'err_amount_empty'],
      ['abc', 'err_amount_not_a_number'],
      ['+5', 'err_amount_not_a_number'],
    ];
    for (const lang of ['zh', 'en']) {
      for (const [amount, key] of cases) {
        const r = await addMoney(u.c, { amount, card_number: ECHO_CARD }, { lang });
        assertFieldError(r, 'amount', lang, key, `${lang} amount ${JSON.stringify(amount)}`);
        assert.equal(inputValue(r.text, 'amount'), amount, `${lang} ${JSON.stringify(amount)} is kept`);
        assert.equal(tag(r.text, 'input[^>]*id="amount"').attrs['aria-invalid'], 'true');
        assert.equal(hiddenInputs(r.text, '/account/add-money').key, r.sent.key, 'the key is kept while the input is corrected');
        assertNoCard(r, ECHO_CARD, `${lang} ${JSON.stringify(amount)}`);
      }
    }
    assert.deepEqual(ledger(srv.db), ledger0);
    assert.equal(balance(srv.db, u.email), 0);
  });

  it('refuses a top-up above the per-transfer limit', async () => {
    const u = await user({ who: 'toplimit' });
    const ledger0 = ledger(srv.db);
    const r = await addMoney(u.c, { amount: '50,000.01' });
    assert.equal(r.status, 400);
    assertFieldError(r, 'amount', 'zh', 'wallet_err_over_limit', 'a top-up over the limit');
    assert.equal(inputValue(r.text, 'amount'), '50,000.01');
    assert.deepEqual(ledger(srv.db), ledger0);
    const ok = await addMoney(u.c, { amount: '50,000.00' });
    assert.equal(ok.status, 303, errorsOf(ok.text));
    assert.equal(balance(srv.db, u.email), 5000000);
  });

  it('refuses a bad card number, expiry or CVC at its field, keeping the amount and changing nothing', async () => {
    const u = await user({ who: 'cardfields' });
    const ledger0 = ledger(srv.db);
    const cases = [
      [{ card_number: CARDS.badLuhn }, 'card_number', CARD_ERR.number],
      [{ card_number: '4242 4242' }, 'card_number', CARD_ERR.number],
      [{ card_number: '' }, 'card_number', CARD_ERR.numberEmpty],
      [{ card_number: ECHO_CARD, card_expiry: '' }, 'card_expiry', CARD_ERR.expiryEmpty],
      [{ card_number: ECHO_CARD, card_cvc: '' }, 'card_cvc', CARD_ERR.cvcEmpty],
      [{ card_number: ECHO_CARD, card_expiry: '01/20' }, 'card_expiry', CARD_ERR.expired],
      [{ card_number: ECHO_CARD, card_expiry: '13/30' }, 'card_expiry', CARD_ERR.expiry],
      [{ card_number: ECHO_CARD, card_expiry: 'soon' }, 'card_expiry', CARD_ERR.expiry],
      [{ card_number: ECHO_CARD, card_cvc: '12' }, 'card_cvc', CARD_ERR.cvc],
      [{ card_number: ECHO_CARD, card_cvc: '12a' }, 'card_cvc', CARD_ERR.cvc],
    ];
    for (const lang of ['zh', 'en']) {
      for (const [fields, field, key] of cases) {
        const r = await addMoney(u.c, { amount: '88.00', ...fields }, { lang });
        assertFieldError(r, field, lang, key, `${lang} ${JSON.stringify(fields)}`);
        assert.equal(inputValue(r.text, 'amount'), '88.00', 'keeps the amount');
        if (field === 'card_expiry') assert.equal(inputValue(r.text, 'card_expiry'), fields.card_expiry, 'keeps the expiry');
        assertNoCard(r, fields.card_number || ECHO_CARD, `${lang} ${JSON.stringify(fields)}`);
        if (fields.card_number === CARDS.badLuhn) assertNoCard(r, CARDS.badLuhn);
      }
    }
    assert.deepEqual(ledger(srv.db), ledger0);
    assert.equal(balance(srv.db, u.email), 0);
  });

  // --- add money by bank transfer ----------------------------------------------------------

  it('records a bank deposit as pending with instructions, and okpay-admin settle credits it once', async () => {
    const u = await user({ who: 'bank' });
    const other = await user({ who: 'bankother' });
    const ledger0 = ledger(srv.db);
    // The bank method ignores whatever is in the card fields.
    const r = await addMoney(u.c, { amount: '500.00', method: 'bank', card_number: '1234', card_expiry: 'x', card_cvc: '' });
    assert.equal(r.status, 303, errorsOf(r.text));
    const m = r.location.match(/^\/zh\/account\/add-money\/bank\?ref=(D[A-Z0-9]{8})$/);
    assert.ok(m, r.location);
    const ref = m[1];
    assert.deepEqual(ledger(srv.db), ledger0, 'a pending deposit moves no money');
    assert.equal(sql(srv.db, `select amount, settled_at, coalesce(transfer_id, 0) from deposits where reference = ${q(ref)} and user_id = ${u.id}`), '50000|0|0');

    const pg = await u.c.get(r.location);
    assert.equal(pg.status, 200);
    assert.equal(textById(pg.text, 'deposit-reference'), ref);
    assert.ok(pg.text.includes(yuan(50000)));
    const asked = await mailWith(u.email, ref, 'zh', 'mail_money_deposit_asked_subject');
    assert.ok(asked.text.includes(yuan(50000)));

    // The same form again: the same deposit.
    const again = await addMoney(u.c, { amount: '500.00', method: 'bank' }, { key: r.sent.key });
    assert.equal(again.status, 303);
    assert.equal(again.location, r.location);
    assert.equal(count(srv.db, 'deposits', `user_id = ${u.id}`), 1);

    // Someone else's reference, or none at all: 404.
    assert.equal((await other.c.get(r.location)).status, 404);
    assert.equal((await u.c.get('/zh/account/add-money/bank?ref=DZZZZZZZZ')).status, 404);
    assert.equal((await u.c.get('/zh/account/add-money/bank')).status, 404);

    // Pending in the history, not yet in the balance.
    const hist = historyRows((await u.c.get('/zh/account/transactions')).text);
    assert.deepEqual(hist.map((x) => x.reference), [ref]);
    assert.equal(balance(srv.db, u.email), 0);

    const bank0 = systemBalance(srv.db, 'bank_clearing');
    const s = admin(srv.db, 'settle', ref);
    assert.equal(s.status, 0, s.stderr);
    const m2 = s.stdout.match(new RegExp(`^${ref} settled: transfer (T\\d{15})\n$`));
    assert.ok(m2, `okpay-admin settle says: ${JSON.stringify(s.stdout)}`);
    const number = m2[1];
    assert.equal(balance(srv.db, u.email), 50000);
    assert.equal(systemBalance(srv.db, 'bank_clearing') - bank0, -50000);
    const settled = ledger(srv.db);
    assert.equal(settled.transfers, ledger0.transfers + 1);
    assert.equal(sql(srv.db, `select kind, method, amount, fee, to_user, reference from transfers where number = ${q(number)}`), `deposit|bank|50000|0|${u.id}|${ref}`);
    await mailWith(u.email, number, 'zh', 'mail_money_deposit_done_subject');

    // Settling twice does not pay twice.
    const twice = admin(srv.db, 'settle', ref);
    assert.equal(twice.status, 0);
    assert.equal(twice.stdout, `${ref} was settled before: transfer ${number}\n`, 'a second settle names the first transfer');
    // References are case-insensitive as typed by an operator.
    assert.equal(admin(srv.db, 'settle', ref.toLowerCase()).stdout, `${ref} was settled before: transfer ${number}\n`);
    assert.deepEqual(ledger(srv.db), settled);
    assert.equal(balance(srv.db, u.email), 50000);
    const unknown = admin(srv.db, 'settle', 'DZZZZZZZZ');
    assert.notEqual(unknown.status, 0, 'an unknown reference is an error');
    assert.deepEqual(ledger(srv.db), settled);

    const credited = historyRows((await u.c.get('/zh/account/transactions')).text);
    assert.deepEqual(credited.map((x) => x.number), [number]);
  });

  // --- send money ----------------------------------------------------------------------------

  it('sends money by email: review with the masked name, one transfer on Confirm, both sides see it', async () => {
    const a = await user({ who: 'sender', name: '张伟' });
    const b = await user({ who: 'payee', name: 'Li Wei', lang: 'en' });
    const c = await user({ who: 'bystander' });
    await topUp(a.c, '1,000.00');

    const form = await a.c.page('/zh/account/send');
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(yuan(100000)), 'the form shows the balance');
    assert.ok(tag(form.text, 'input[^>]*name="method"[^>]*value="balance"[^>]*checked|input[^>]*checked[^>]*name="method"[^>]*value="balance"'), 'balance is the default');
    for (const f of ['recipient', 'amount', 'note']) assert.notEqual(inputValue(form.text, f) ?? tag(form.text, `textarea[^>]*name="${f}"`), null, `field ${f}`);

    const ledger0 = ledger(srv.db);
    const note = '午饭 & <AA>';
    const rv = await sendForm(a.c, { recipient: b.email, amount: '123.45', note });
    assert.equal(rv.status, 303, errorsOf(rv.text));
    assert.deepEqual(ledger(srv.db), ledger0, 'a review moves no money');

    const review = await a.c.page(rv.location);
    assert.equal(review.status, 200);
    assert.equal(textById(review.text, 'review-name'), 'Li W***');
    assert.ok(!review.text.includes('Li Wei'), 'the full name is not shown');
    assert.equal(textById(review.text, 'review-amount'), '¥123.45');
    assert.equal(textById(review.text, 'review-fee'), '¥0.00');
    assert.equal(textById(review.text, 'review-total'), '¥123.45');
    assert.ok(review.text.includes(esc(note)), 'the note');
    assert.ok(review.text.includes(esc(b.email)), 'what was typed');
    const bNumber = accountNumber(srv.db, b.email);
    assert.match(bNumber, /^\d{10}$/, 'the recipient has a wallet now');
    assert.ok(review.text.includes(bNumber) || review.text.includes(group(bNumber)), 'the recipient account number');
    const cf = tag(review.text, 'form[^>]*action="/zh/account/send/confirm"');
    assert.ok(cf && /method="post"/.test(cf.tag), 'a form that POSTs to confirm');
    assert.equal(hiddenInputs(review.text, '/account/send/confirm').key, rv.key);
    assert.ok(review.text.includes(`/zh/account/send?`), 'an Edit link back to the form');

    // Someone else's key is not found.
    assert.equal((await b.c.get(`/en/account/send/review?key=${rv.key}`)).status, 404);
    assert.equal((await confirm(c.c, rv.key, { csrf: (await c.c.page('/zh/account/send')).csrf })).status, 404);
    assert.deepEqual(ledger(srv.db), ledger0);

    mail.skip();
    const done = await a.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: rv.key });
    assert.equal(done.status, 303, errorsOf(done.text));
    const number = receiptNumber(done.location);
    assert.ok(number, done.location);
    assert.equal(balance(srv.db, a.email), 100000 - 12345);
    assert.equal(balance(srv.db, b.email), 12345);
    const after1 = ledger(srv.db);
    assert.equal(after1.transfers, ledger0.transfers + 1);
    assert.equal(after1.entries, ledger0.entries + 2);
    assert.equal(sql(srv.db, `select kind, method, amount, fee, from_user, to_user, note from transfers where number = ${q(number)}`),
      `send|balance|12345|0|${a.id}|${b.id}|${note}`);
    const sentMail = await mailWith(a.email, number, 'zh', 'mail_money_sent_subject');
    const gotMail = await mailWith(b.email, number, 'en', 'mail_money_received_subject');
    for (const m of [sentMail, gotMail]) assert.ok(m.text.includes('¥123.45'), 'the mail says how much');
    assert.ok(!gotMail.text.includes('张伟'), 'the recipient sees the sender masked');

    // The receipt: both parties, nobody else.
    const receipt = await a.c.get(done.location);
    assert.equal(receipt.status, 200);
    assert.equal(textById(receipt.text, 'transfer-number'), number);
    assert.ok(receipt.text.includes('Li W***'));
    const theirs = await b.c.get(`/en/account/transactions/${number}`);
    assert.equal(theirs.status, 200);
    assert.equal(textById(theirs.text, 'transfer-number'), number);
    assert.match(theirs.text, /张\*(?!\*)/, 'the sender, masked');
    assert.ok(!theirs.text.includes('张伟'), 'not the full name');
    assert.equal((await c.c.get(`/zh/account/transactions/${number}`)).status, 404);
    assert.equal((await c.c.get(`/en/account/transactions/${number}`)).status, 404);
    assert.equal((await a.c.get('/zh/account/transactions/T000000000000000')).status, 404);

    // Both histories.
    assert.ok(historyRows((await b.c.get('/en/account/transactions')).text).some((x) => x.number === number), 'in the recipient history');
    assert.ok(historyRows((await a.c.get('/zh/account/transactions')).text).some((x) => x.number === number), 'in the sender history');

    // The review after Confirm leads to the receipt; Confirm again is the same transfer.
    const later = await a.c.get(rv.location);
    assert.equal(later.status, 303);
    assert.equal(later.location, done.location);
    const twice = await a.c.post('/zh/account/send/confirm', { csrf: review.csrf, key: rv.key });
    assert.equal(twice.status, 303);
    assert.equal(twice.location, done.location);
    assert.deepEqual(ledger(srv.db), after1);
    assert.deepEqual((await mail.unseenAfter(300)).filter((f) => mail.read(f).text.includes(number)), [], 'no second mail');
  });

  it('sends money to an account number typed in groups, in English', async () => {
    const a = await user({ who: 'bynumber', lang: 'en' });
    const b = await user({ who: 'numbered', name: '王小明' });
    await topUp(a.c, '50.00', 'en');
    const ov = await b.c.get('/zh/account/');
    assert.equal(ov.status, 200);
    const bNumber = accountNumber(srv.db, b.email);
    assert.match(bNumber, /^\d{10}$/);
    assert.ok(ov.text.includes(group(bNumber)), 'the overview shows the account number grouped');

    const rv = await sendForm(a.c, { recipient: group(bNumber), amount: '20' }, { lang: 'en' });
    assert.equal(rv.status, 303, errorsOf(rv.text));
    const review = await a.c.page(rv.location);
    assert.equal(textById(review.text, 'review-name'), '王**');
    assert.equal(textById(review.text, 'review-amount'), '¥20.00');
    const done = await confirm(a.c, rv.key, { lang: 'en' });
    assert.equal(done.status, 303, errorsOf(done.text));
    const number = receiptNumber(done.location, 'en');
    assert.ok(number);
    assert.equal(balance(srv.db, a.email), 3000);
    assert.equal(balance(srv.db, b.email), 2000);
    await mailWith(a.email, number, 'en', 'mail_money_sent_subject');
    await mailWith(b.email, number, 'zh', 'mail_money_received_subject');

    // Without separators too.
    const n2 = await sendMoney(a.c, bNumber, '0.5', { lang: 'en' });
    assert.equal(sql(srv.db, `select amount, to_user from transfers where number = ${q(n2)}`), `50|${b.id}`);
    assert.equal(balance(srv.db, b.email), 2050);
  });

  it('sends money paid by card: the fee on the review, the card charged, the balance untouched', async () => {
    const a = await user({ who: 'cardsend' });
    const b = await user({ who: 'cardpayee', name: 'Ann Lee' });
    await topUp(a.c, '5.00');
    const rv = await sendForm(a.c, { recipient: b.email, amount: '100.00', method: 'card' });
    assert.equal(rv.status, 303, errorsOf(rv.text));
    const review = await a.c.page(rv.location);
    assert.equal(textById(review.text, 'review-fee'), yuan(cardFee(10000)));
    assert.equal(textById(review.text, 'review-total'), yuan(10000 + cardFee(10000)));
    for (const f of ['card_number', 'card_expiry', 'card_cvc']) assert.notEqual(inputValue(review.text, f), null, `review has ${f}`);

    const ledger0 = ledger(srv.db);
    const bad = await confirm(a.c, rv.key, { card: { card_number: CARDS.declined, card_expiry: GOOD_EXPIRY, card_cvc: '123' } });
    assertPageError(bad, 'zh', 'wallet_err_card_declined', 'declined at confirm');
    assertNoCard(bad, CARDS.declined);
    const cvc = await confirm(a.c, rv.key, { card: { card_number: ECHO_CARD, card_expiry: GOOD_EXPIRY, card_cvc: '1' } });
    assertFieldError(cvc, 'card_cvc', 'zh', CARD_ERR.cvc, 'bad CVC at confirm');
    assertNoCard(cvc, ECHO_CARD);
    assert.deepEqual(ledger(srv.db), ledger0);

    const fee0 = systemBalance(srv.db, 'fee_income');
    const done = await confirm(a.c, rv.key, { card: { card_number: CARDS.ok, card_expiry: GOOD_EXPIRY, card_cvc: '123' } });
    assert.equal(done.status, 303, errorsOf(done.text));
    const number = receiptNumber(done.location);
    assert.equal(balance(srv.db, a.email), 500, 'the balance is not used');
    assert.equal(balance(srv.db, b.email), 10000);
    assert.equal(systemBalance(srv.db, 'fee_income') - fee0, cardFee(10000));
    assert.equal(sql(srv.db, `select method, amount, fee, card from transfers where number = ${q(number)}`), `card|10000|${cardFee(10000)}|visa •••• 4242`);
  });

  // --- refusals ------------------------------------------------------------------------------

  it('refuses every send that is not allowed, at the right field, and changes no balance and no ledger row', async () => {
    const [a, b, unverifiedPayee, lockedPayee, wasVerified, locked] = await Promise.all([
      user({ who: 'refuser' }), user({ who: 'refusee' }), user({ who: 'unverifiedpayee', verify: false }),
      user({ who: 'lockedpayee' }), user({ who: 'wasverified' }), user({ who: 'locked' }),
    ]);
    await topUp(a.c, '100.00');
    await topUp(wasVerified.c, '10.00');
    await topUp(locked.c, '10.00');
    await b.c.get('/zh/account/'); // b's wallet and account number
    const aNumber = accountNumber(srv.db, a.email);
    assert.match(aNumber, /^\d{10}$/);
    sql(srv.db, `update users set locked_at = strftime('%s', 'now') where id = ${lockedPayee.id}`);

    const cases = [
      ['unknown email', a, { recipient: 'nobody.at.all@example.com', amount: '1.00' }, 'recipient', 'wallet_err_unknown_recipient'],
      ['unknown account', a, { recipient: accountNumberOf(987654321), amount: '1.00' }, 'recipient', 'wallet_err_unknown_recipient'],
      ['unverified recipient', a, { recipient: unverifiedPayee.email, amount: '1.00' }, 'recipient', 'wallet_err_unknown_recipient'],
      ['locked recipient', a, { recipient: lockedPayee.email, amount: '1.00' }, 'recipient', 'wallet_err_recipient_locked'],
      ['self by email', a, { recipient: a.email.toUpperCase(), amount: '1.00' }, 'recipient', 'wallet_err_self'],
      ['self by number', a, { recipient: group(aNumber), amount: '1.00' }, 'recipient', 'wallet_err_self'],
      ['insufficient', a, { recipient: b.email, amount: '100.01' }, 'amount', 'wallet_err_insufficient'],
      ['note too long', a, { recipient: b.email, amount: '1.00', note: '长'.repeat(141) }, 'note', 'wallet_err_note_too_long'],
      ['negative', a, { recipient: b.email, amount: '-1' }, 'amount', 'err_amount_negative'],
      ['zero', a, { recipient: b.email, amount: '0.00' }, 'amount', 'err_amount_zero'],
    ];
    const bal = () => [a, b, unverifiedPayee, lockedPayee].map((u) => balance(srv.db, u.email));
    const ledger0 = ledger(srv.db);
    const bal0 = bal();
    for (const [what, from, fields, field, key] of cases) {
      const r = await sendForm(from.c, fields);
      assertFieldError(r, field, 'zh', key, what);
      assert.equal(inputValue(r.text, 'recipient'), fields.recipient, `${what}: keeps the recipient`);
      assert.equal(inputValue(r.text, 'amount'), fields.amount, `${what}: keeps the amount`);
      assert.deepEqual(ledger(srv.db), ledger0, `${what} changed the ledger`);
    }
    assert.deepEqual(bal(), bal0);

    // 140 characters is fine (a review, no money moved).
    const long = await sendForm(a.c, { recipient: b.email, amount: '1.00', note: '长'.repeat(140) });
    assert.equal(long.status, 303, errorsOf(long.text));

    // The sender's own state: not verified (any more), locked.
    sql(srv.db, `update users set verified_at = 0 where id = ${wasVerified.id}`);
    sql(srv.db, `update users set locked_at = strftime('%s', 'now') where id = ${locked.id}`);
    const ledger1 = ledger(srv.db);
    for (const lang of ['zh', 'en']) {
      assertPageError(await sendForm(wasVerified.c, { recipient: b.email, amount: '1.00' }, { lang }), lang, 'wallet_err_unverified', `unverified ${lang}`);
      assertPageError(await sendForm(locked.c, { recipient: b.email, amount: '1.00' }, { lang }), lang, 'wallet_err_locked', `locked ${lang}`);
      assertPageError(await addMoney(wasVerified.c, { amount: '1.00' }, { lang }), lang, 'wallet_err_unverified', `top-up unverified ${lang}`);
      assertPageError(await addMoney(locked.c, { amount: '1.00' }, { lang }), lang, 'wallet_err_locked', `top-up locked ${lang}`);
    }
    assert.deepEqual(ledger(srv.db), ledger1);
    assert.equal(balance(srv.db, wasVerified.email), 1000);
    assert.equal(balance(srv.db, locked.email), 1000);
  });

  it('checks everything again at Confirm: locked since the review, balance spent since, recipient locked since, expired', async () => {
    const [a, b] = await Promise.all([user({ who: 'late' }), user({ who: 'latepayee' })]);
    await topUp(a.c, '30.00');
    const r1 = await sendForm(a.c, { recipient: b.email, amount: '20.00' });
    const r2 = await sendForm(a.c, { recipient: b.email, amount: '20.00' });
    const r3 = await sendForm(a.c, { recipient: b.email, amount: '5.00' });
    const r4 = await sendForm(a.c, { recipient: b.email, amount: '5.00' });
    for (const r of [r1, r2, r3, r4]) assert.equal(r.status, 303, errorsOf(r.text));
    const csrf = (await a.c.page(r1.location)).csrf;

    // Locked after the review.
    sql(srv.db, `update users set locked_at = strftime('%s', 'now') where id = ${a.id}`);
    let ledger0 = ledger(srv.db);
    const locked = await confirm(a.c, r1.key, { csrf });
    assertPageError(locked, 'zh', 'wallet_err_locked', 'locked at confirm');
    assert.ok(byId(locked.text, 'review-amount'), 'the review page again');
    assert.deepEqual(ledger(srv.db), ledger0);
    sql(srv.db, `update users set locked_at = 0 where id = ${a.id}`);

    // The first goes through; the second no longer fits the balance.
    assert.equal((await confirm(a.c, r1.key, { csrf })).status, 303);
    ledger0 = ledger(srv.db);
    const poor = await confirm(a.c, r2.key, { csrf });
    assertPageError(poor, 'zh', 'wallet_err_insufficient', 'insufficient at confirm');
    assert.deepEqual(ledger(srv.db), ledger0);

    // The recipient locked since.
    sql(srv.db, `update users set locked_at = strftime('%s', 'now') where id = ${b.id}`);
    assertPageError(await confirm(a.c, r3.key, { csrf }), 'zh', 'wallet_err_recipient_locked', 'recipient locked at confirm');
    assert.deepEqual(ledger(srv.db), ledger0);
    sql(srv.db, `update users set locked_at = 0 where id = ${b.id}`);

    assert.equal(balance(srv.db, a.email), 1000);
    assert.equal(balance(srv.db, b.email), 2000);

    // Unknown and malformed keys.
    assert.equal((await a.c.get(`/zh/account/send/review?key=${'A'.repeat(43)}`)).status, 404);
    assert.equal((await a.c.get('/zh/account/send/review?key=short')).status, 404);
    assert.equal((await a.c.get('/zh/account/send/review')).status, 404);
    assert.equal((await confirm(a.c, 'A'.repeat(43), { csrf })).status, 404);
    // The key is the review, sealed: a changed character, a cut, or the key of another user
    // opens nothing.
    const k = r4.key;
    const flip = (i) => k.slice(0, i) + (k[i] === 'A' ? 'B' : 'A') + k.slice(i + 1);
    for (const bad of [flip(0), flip(30), flip(k.length - 1), k.slice(0, -4), `${k}AAAA`]) {
      assert.equal((await a.c.get(`/zh/account/send/review?key=${bad}`)).status, 404, `review ${bad}`);
      assert.equal((await confirm(a.c, bad, { csrf })).status, 404, `confirm ${bad}`);
    }
    assert.equal((await b.c.get(`/zh/account/send/review?key=${k}`)).status, 404, "another user's review");
    assert.deepEqual(ledger(srv.db), ledger0);
  });

  it('lets a review expire: the page says so (410) with a way to start again, Confirm moves nothing, a confirmed one still leads to its receipt', async () => {
    // Reviews of this portal last 3 seconds.
    const quick = await h.startPortal({ siteDir: site, args: ['--review-ttl', '3'] });
    portals.push(quick);
    const quickMail = new Mailbox(quick.mailDir);
    const [a, b] = await Promise.all([w.newUser(quick, quickMail, ui, { who: 'expiry' }), w.newUser(quick, quickMail, ui, { who: 'expirypayee' })]);
    await topUp(a.c, '10.00');
    const done = await sendForm(a.c, { recipient: b.email, amount: '1.00' });
    const late = await sendForm(a.c, { recipient: b.email, amount: '2.00' });
    for (const r of [done, late]) assert.equal(r.status, 303, errorsOf(r.text));
    const csrf = (await a.c.page(done.location)).csrf;
    const first = await confirm(a.c, done.key, { csrf });
    assert.equal(first.status, 303);
    await sleep(4200);
    const ledger0 = ledger(quick.db);
    for (const lang of ['zh', 'en']) {
      const gone = await a.c.get(late.location.replace('/zh/', `/${lang}/`));
      assert.equal(gone.status, 410);
      assert.ok(gone.text.includes(esc(msg(lang, 'review_expired_text'))), 'says it expired');
      assert.ok(tag(gone.text, `a[^>]*href="/${lang}/account/send\\?[^"]*recipient=`), 'a prefilled link to start again');
    }
    assert.equal((await confirm(a.c, late.key, { csrf })).status, 410);
    assert.deepEqual(ledger(quick.db), ledger0);
    // Confirmed before it expired: the review and Confirm still answer with that transfer.
    const again = await a.c.get(done.location);
    assert.equal(again.status, 303);
    assert.equal(again.location, first.location);
    assert.equal((await confirm(a.c, done.key, { csrf })).location, first.location);
    assert.equal(balance(quick.db, a.email), 900);
    assert.deepEqual(ledger(quick.db), ledger0);
  });

  it('answers 403 to a POST without its CSRF token and moves nothing', async () => {
    const [a, b] = await Promise.all([user({ who: 'csrf' }), user({ who: 'csrfpayee' })]);
    await topUp(a.c, '10.00');
    const rv = await sendForm(a.c, { recipient: b.email, amount: '1.00' });
    const ledger0 = ledger(srv.db);
    const reviews0 = count(srv.db, 'reviews');
    assert.equal((await addMoney(a.c, { amount: '1.00' }, { csrf: null })).status, 403);
    assert.equal((await addMoney(a.c, { amount: '1.00' }, { csrf: 'forged' })).status, 403);
    assert.equal((await sendForm(a.c, { recipient: b.email, amount: '1.00' }, { csrf: null })).status, 403);
    assert.equal((await confirm(a.c, rv.key, { csrf: null })).status, 403);
    // Another user's token is no good either.
    const bCsrf = (await b.c.page('/zh/account/send')).csrf;
    assert.equal((await confirm(a.c, rv.key, { csrf: bCsrf })).status, 403);
    // A cross-site POST with a valid token.
    const good = (await a.c.page(rv.location)).csrf;
    assert.equal((await a.c.post('/zh/account/send/confirm', { csrf: good, key: rv.key }, { origin: 'https://evil.example' })).status, 403);
    assert.deepEqual(ledger(srv.db), ledger0);
    assert.equal(count(srv.db, 'reviews'), reviews0);
    // Signed out: to the login page, nothing else.
    const anon = new Client(srv.base);
    for (const p of ['/zh/account/add-money', '/zh/account/send', `/zh/account/send/review?key=${rv.key}`, '/zh/account/transactions', '/zh/account/transactions.csv']) {
      const r = await anon.get(p);
      assert.equal(r.status, 303, p);
      assert.match(r.location, /^\/zh\/account\/login\?next=/, p);
    }
  });

  // --- limits (a portal of its own with small limits) -----------------------------------------

  it('refuses sends over the per-transfer and the daily limit, also when confirmed at once', async () => {
    // ¥100 a transfer, ¥250 a day.
    const small = await h.startPortal({ siteDir: site, args: ['--limit-transfer', '10000', '--limit-daily', '25000'] });
    portals.push(small);
    const smallMail = new Mailbox(small.mailDir);
    const su = (o) => w.newUser(small, smallMail, ui, o);
    const [a, b] = await Promise.all([su({ who: 'limits' }), su({ who: 'limitpayee' })]);
    for (let i = 0; i < 4; i++) await topUp(a.c, '100.00');
    assertFieldError(await addMoney(a.c, { amount: '100.01' }), 'amount', 'zh', 'wallet_err_over_limit', 'a top-up over the limit');
    assert.equal(balance(small.db, a.email), 40000);

    const ledger0 = ledger(small.db);
    const over = await sendForm(a.c, { recipient: b.email, amount: '100.01' });
    assertFieldError(over, 'amount', 'zh', 'wallet_err_over_limit', 'over the per-transfer limit');
    assert.deepEqual(ledger(small.db), ledger0);

    await sendMoney(a.c, b.email, '100.00');
    await sendMoney(a.c, b.email, '100.00');
    const ledger2 = ledger(small.db);
    const daily = await sendForm(a.c, { recipient: b.email, amount: '50.01' });
    assertFieldError(daily, 'amount', 'zh', 'wallet_err_daily_limit', 'over the daily limit');
    const dailyEn = await sendForm(a.c, { recipient: b.email, amount: '50.01' }, { lang: 'en' });
    assertFieldError(dailyEn, 'amount', 'en', 'wallet_err_daily_limit', 'over the daily limit, en');
    assert.deepEqual(ledger(small.db), ledger2);

    // Two reviews that each fit, confirmed at once: the limit holds inside the transaction.
    const r1 = await sendForm(a.c, { recipient: b.email, amount: '50.00' });
    const r2 = await sendForm(a.c, { recipient: b.email, amount: '50.00' });
    assert.equal(r1.status, 303);
    assert.equal(r2.status, 303);
    const csrf = (await a.c.page(r1.location)).csrf;
    const both = await Promise.all([confirm(a.c, r1.key, { csrf }), confirm(a.c, r2.key, { csrf })]);
    assert.deepEqual(both.map((r) => r.status).sort(), [303, 400], `statuses ${both.map((r) => r.status)}`);
    assertPageError(both.find((r) => r.status === 400), 'zh', 'wallet_err_daily_limit', 'the second of two at once');
    assert.equal(balance(small.db, a.email), 40000 - 25000, 'exactly the daily limit was sent');
    assert.equal(balance(small.db, b.email), 25000);
    assertFieldError(await sendForm(a.c, { recipient: b.email, amount: '0.01' }), 'amount', 'zh', 'wallet_err_daily_limit', 'nothing more today');
    // Receiving is not limited.
    await sendMoney(b.c, a.email, '100.00');
  });

  // --- concurrency ---------------------------------------------------------------------------

  it('creates one transfer when the same Confirm is submitted 10 times at once', async () => {
    const [a, b] = await Promise.all([user({ who: 'tenfold' }), user({ who: 'tenfoldpayee' })]);
    await topUp(a.c, '100.00');
    const rv = await sendForm(a.c, { recipient: b.email, amount: '10.00' });
    assert.equal(rv.status, 303);
    const csrf = (await a.c.page(rv.location)).csrf;
    const ledger0 = ledger(srv.db);
    const rs = await Promise.all(Array.from({ length: 10 }, () => a.c.post('/zh/account/send/confirm', { csrf, key: rv.key })));
    assert.deepEqual(rs.map((r) => r.status), Array(10).fill(303), rs.map((r) => `${r.status} ${errorsOf(r.text)}`).join('\n'));
    const locations = new Set(rs.map((r) => r.location));
    assert.equal(locations.size, 1, [...locations].join(' '));
    const number = receiptNumber(rs[0].location);
    assert.ok(number);
    assert.equal(ledger(srv.db).transfers, ledger0.transfers + 1);
    assert.equal(count(srv.db, 'transfers', `from_user = ${a.id} and kind = 'send'`), 1);
    assert.equal(balance(srv.db, a.email), 9000);
    assert.equal(balance(srv.db, b.email), 1000);
    assert.equal(count(srv.db, 'outbox', `instr(body_text, ${q(number)}) > 0`), 2, 'one mail each');
  });

  it('50 sends confirmed at once from a wallet that can afford 10: exactly 10, balance zero', async () => {
    const [a, b] = await Promise.all([user({ who: 'fifty' }), user({ who: 'fiftypayee' })]);
    await topUp(a.c, '100.00');
    const keys = [];
    for (let i = 0; i < 50; i += 10) {
      const batch = await Promise.all(Array.from({ length: 10 }, () => sendForm(a.c, { recipient: b.email, amount: '10.00' }, { localAddress: w.nextAddress() })));
      for (const r of batch) {
        assert.equal(r.status, 303, errorsOf(r.text));
        keys.push(r.key);
      }
    }
    assert.equal(new Set(keys).size, 50);
    const csrf = (await a.c.page(`/zh/account/send/review?key=${keys[0]}`)).csrf;
    const ledger0 = ledger(srv.db);
    // 50 tabs, each from its own address (nginx allows one address bursts of 60 POSTs).
    const rs = await Promise.all(keys.map((key) => a.c.post('/zh/account/send/confirm', { csrf, key }, { localAddress: w.nextAddress() })));
    const ok = rs.filter((r) => r.status === 303);
    const refused = rs.filter((r) => r.status !== 303);
    assert.equal(ok.length, 10, `statuses: ${rs.map((r) => r.status).join(' ')}`);
    assert.equal(new Set(ok.map((r) => receiptNumber(r.location))).size, 10, 'ten different transfers');
    for (const r of refused) assertPageError(r, 'zh', 'wallet_err_insufficient', 'a send that no longer fits');
    assert.equal(balance(srv.db, a.email), 0);
    assert.equal(balance(srv.db, b.email), 10000);
    assert.equal(ledger(srv.db).transfers, ledger0.transfers + 10);
    assert.equal(count(srv.db, 'transfers', `from_user = ${a.id} and kind = 'send'`), 10);
    assert.equal(Number(sql(srv.db, `select min(balance) from accounts where kind = 'wallet'`)) >= 0, true);
  });

  // --- the CSV statement ---------------------------------------------------------------------

  it('writes a CSV statement whose rows sum to the balance change: BOM, CRLF, header, quoting', async () => {
    const [a, b] = await Promise.all([user({ who: 'csv', name: 'Csv Owner' }), user({ who: 'csvpeer', name: '"Quote", Peer' })]);
    const t1 = await topUp(a.c, '500.00');
    const t2 = await sendMoney(a.c, b.email, '12.34', { note: '=HYPERLINK("http://x"),"a"' });
    const t3 = await sendMoney(b.c, a.email, '2.00', { note: '+1, 中文 "x"' });
    const dep = await addMoney(a.c, { amount: '30.00', method: 'bank' });
    const ref = dep.location.split('ref=')[1];
    const t4 = admin(srv.db, 'settle', ref).stdout.match(/transfer (T\d{15})/)[1];
    await addMoney(a.c, { amount: '7.00', method: 'bank' }); // pending: not in the statement
    const final = balance(srv.db, a.email);
    assert.equal(final, 50000 - 1234 + 200 + 3000);

    const day = cstDay();
    const r = await a.c.get(`/zh/account/transactions.csv?from=${day}&to=${day}`);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(r.headers.get('content-disposition'), `attachment; filename="okpay-statement-${day}-${day}.csv"`);
    assert.deepEqual([...r.raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    const csv = parseCsv(r.text);
    assert.ok(csv.bom);
    assert.ok(csv.crlf, 'CRLF line ends only');
    assert.ok(csv.endsWithNewline);
    const [header, ...rows] = csv.rows;
    assert.equal(header.length, 8, `header ${header}`);
    assert.ok(header.some((c) => /[\u4e00-\u9fff]/.test(c)), `a Chinese header: ${header}`);
    assert.deepEqual(rows.map((x) => x[1]), [t1, t2, t3, t4], 'one row per completed movement, oldest first');
    for (const x of rows) {
      assert.equal(x.length, 8, `row ${x}`);
      assert.match(x[0], new RegExp(`^${day} \\d\\d:\\d\\d$`));
      for (const i of [5, 6, 7]) assert.match(x[i], /^-?\d+\.\d\d$/, `numeric column ${i}: ${x[i]}`);
    }
    const amounts = rows.map((x) => minorOf(x[5]));
    assert.deepEqual(amounts, [50000, -1234, 200, 3000]);
    assert.equal(amounts.reduce((s, v) => s + v, 0), final, 'the rows sum to the balance change');
    let running = 0;
    for (const x of rows) {
      running += minorOf(x[5]);
      assert.equal(minorOf(x[7]), running, `balance after ${x[1]}`);
    }
    assert.equal(rows[0][6], decimal(cardFee(50000)), 'the card fee of the top-up');
    assert.equal(rows[1][6], '0.00');
    assert.equal(rows[1][4], `'=HYPERLINK("http://x"),"a"`, 'a formula is defused, quotes and comma survive');
    assert.equal(rows[2][4], `'+1, 中文 "x"`, 'a leading + is defused');
    assert.ok(rows[1][3].includes('"Quote", P***'), `counterparty, masked: ${rows[1][3]}`);
    assert.ok(rows[2][3].includes('"Quote", P***'), `counterparty, masked: ${rows[2][3]}`);
    assert.equal(rows[0][4], '');

    const en = parseCsv((await a.c.get(`/en/account/transactions.csv?from=${day}&to=${day}`)).text);
    assert.equal(en.rows[0].length, 8);
    assert.notDeepEqual(en.rows[0], header, 'the header in the page language');
    assert.ok(en.rows[0].every((c) => /^[\x20-\x7e]*$/.test(c)), `an English header: ${en.rows[0]}`);
    assert.deepEqual(en.rows.slice(1).map((x) => x[5]), rows.map((x) => x[5]));

    // Other ranges: before the account existed nothing; the default (this month) all of it.
    const empty = parseCsv((await a.c.get('/zh/account/transactions.csv?from=2020-01-01&to=2020-01-31')).text);
    assert.deepEqual(empty.rows, [header]);
    const month = await a.c.get('/zh/account/transactions.csv');
    assert.equal(month.status, 200);
    assert.deepEqual(parseCsv(month.text).rows.slice(1).map((x) => x[1]), [t1, t2, t3, t4]);
    assert.equal((await a.c.get('/zh/account/transactions.csv?from=2024-02-30&to=2024-03-01')).status, 400);

    // The recipient's statement has the other side.
    const theirs = parseCsv((await b.c.get(`/zh/account/transactions.csv?from=${day}&to=${day}`)).text).rows.slice(1);
    assert.deepEqual(theirs.map((x) => [x[1], x[5]]), [[t2, '12.34'], [t3, '-2.00']]);
    assert.equal(theirs.reduce((s, x) => s + minorOf(x[5]), 0), balance(srv.db, b.email));
  });

  // --- history -------------------------------------------------------------------------------

  it('lists the history 20 to a page with filters by direction, status, dates and transfer number', async () => {
    const [p, qq] = await Promise.all([user({ who: 'history' }), user({ who: 'historypeer' })]);
    const top = await topUp(p.c, '100.00');
    const sends = [];
    // 21 sends of 1.00, 2.00 or 3.00: 42.00 in all.
    for (let i = 0; i < 21; i++) sends.push(await sendMoney(p.c, qq.email, `${(i % 3) + 1}.00`, { note: `n${i}` }));
    const dep = await addMoney(p.c, { amount: '10.00', method: 'bank' });
    const ref = dep.location.split('ref=')[1];
    const all = [top, ...sends];

    const page1 = await p.c.get('/zh/account/transactions');
    assert.equal(page1.status, 200);
    const rows1 = historyRows(page1.text);
    assert.equal(rows1.length, 20);
    assert.ok(page1.text.includes(yuan(balance(srv.db, p.email))), 'the balance at the top');
    assert.ok(page1.text.includes(group(accountNumber(srv.db, p.email))), 'the account number at the top');
    const next = tag(page1.text, 'a[^>]*rel="next"');
    assert.ok(next, 'a next link');
    assert.ok(!tag(page1.text, 'a[^>]*rel="prev"'), 'no prev link on page 1');
    const page2 = await p.c.get(w.unesc(next.attrs.href));
    assert.equal(page2.status, 200);
    const rows2 = historyRows(page2.text);
    assert.equal(rows2.length, 3);
    assert.ok(tag(page2.text, 'a[^>]*rel="prev"'));
    assert.ok(!tag(page2.text, 'a[^>]*rel="next"'));
    const seen = [...rows1, ...rows2];
    assert.deepEqual(seen.filter((x) => x.number).map((x) => x.number).sort(), [...all].sort(), 'every movement once');
    assert.deepEqual(seen.filter((x) => x.reference).map((x) => x.reference), [ref]);
    const completed = seen.filter((x) => x.number).map((x) => x.number);
    assert.deepEqual(completed, [...all].reverse(), 'newest first');

    const nums = async (qs, c = p.c, lang = 'zh') => {
      const r = await c.get(`/${lang}/account/transactions?${qs}`);
      assert.equal(r.status, 200, `${qs}: ${r.status} ${errorsOf(r.text)}`);
      return historyRows(r.text);
    };
    assert.deepEqual((await nums('direction=in&status=completed')).map((x) => x.number), [top]);
    const out = await nums('direction=out');
    assert.equal(out.length, 20);
    assert.ok(out.every((x) => sends.includes(x.number)), 'only sends go out');
    assert.deepEqual((await nums('direction=out&page=2')).map((x) => x.number), [sends[0]]);
    assert.deepEqual((await nums('status=pending')).map((x) => x.reference), [ref]);
    assert.equal((await nums('status=completed&page=2')).length, 2);
    assert.deepEqual((await nums(`q=${sends[4]}`)).map((x) => x.number), [sends[4]]);
    assert.deepEqual((await nums(`q=${encodeURIComponent(` ${sends[4].toLowerCase()} `)}`)).map((x) => x.number), [sends[4]], 'a pasted lower-case number');
    assert.deepEqual((await nums(`q=${sends[4]}`, qq.c)).map((x) => x.number), [sends[4]], 'the other side finds it too');
    assert.deepEqual(await nums(`q=${top}`, qq.c), [], 'not someone else\'s transfer');
    const day = cstDay();
    assert.equal((await nums(`from=${day}&to=${day}`)).length, 20);
    const yesterday = cstDay(Date.now() - 86400000);
    assert.deepEqual((await nums(`from=${yesterday}&to=${yesterday}`)).filter((x) => x.number), []);
    const ranged = await p.c.get(`/zh/account/transactions?from=${day}&to=${day}`);
    assert.ok(tag(ranged.text, `a[^>]*href="/zh/account/transactions\\.csv\\?from=${day}&amp;to=${day}"`), 'a CSV link for the same range');
    assert.equal((await nums('direction=in', qq.c, 'en')).length, 20, 'the recipient sees them coming in');

    // Bad parameters: 400 with the form showing the problem, values kept.
    for (const [qs, field, key, value] of [['q=T123', 'q', 'tx_err_q', 'T123'], [`q=${sends[4].slice(0, -1)}${(Number(sends[4].slice(-1)) + 1) % 10}`, 'q', 'tx_err_q', null],
      ['from=2024-02-30', 'from', 'tx_err_from', '2024-02-30'], ['to=yesterday', 'to', 'tx_err_to', 'yesterday'], [`from=${day}&to=2020-01-01`, 'to', 'tx_err_range', '2020-01-01'],
      ['direction=sideways', 'direction', 'tx_err_direction', null], ['status=lost', 'status', 'tx_err_status', null], ['page=0', 'page', 'tx_err_page', null], ['page=abc', 'page', 'tx_err_page', null]]) {
      for (const lang of ['zh', 'en']) {
        const r = await p.c.get(`/${lang}/account/transactions?${qs}`);
        assert.equal(r.status, 400, `${qs}: ${r.status}`);
        assert.equal(textById(r.text, `${field}-error`) ?? (r.text.includes(esc(msg(lang, key))) ? msg(lang, key) : null), msg(lang, key), `${lang} ${qs}: the message`);
        if (value !== null) assert.equal(inputValue(r.text, field), value, `${qs}: kept`);
      }
    }
  });
});

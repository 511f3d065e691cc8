// Article feedback over HTTP (issue 7): "Was this helpful?" posts to /{lang}/feedback from the
// static article pages (no token: Origin decides), votes are stored with the article, locale,
// answer, comment and time, one per article per browser per day, and limited per address.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { Client } = require('../lib/http');
const w = require('../lib/wallet');

const { esc, textById, sql, q, count } = w;
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ARTICLE = '/zh/payments/send-money/';

describe('article feedback over nginx', () => {
  const ui = w.loadUi();
  let site, srv;

  const votes = (article = ARTICLE) => Number(count(srv.db, 'feedback', `article = ${q(article)}`));
  // A browser of its own, leaving from an address of its own (the per-address limit).
  const browser = () => new w.AddrClient(srv.base, { localAddress: w.nextAddress() });

  before(async () => {
    site = h.buildSite();
    srv = await h.startPortal({ siteDir: site });
  });

  after(async () => {
    await srv.stop();
    await sleep(300);
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
  });

  it('the article form posts what the portal reads', () => {
    const html = fs.readFileSync(path.join(site, 'zh/payments/send-money/index.html'), 'utf8');
    assert.match(html, /<form class="feedback" method="post" action="\/zh\/feedback">/);
    assert.ok(html.includes(`name="article" value="${ARTICLE}"`));
    assert.match(html, /name="helpful" value="yes"/);
    assert.match(html, /name="comment"[^>]*maxlength="500"/);
  });

  it('stores a vote with its comment and thanks with a way back to the article', async () => {
    const c = browser();
    const before = votes();
    const r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'no', comment: '步骤写得不清楚' });
    assert.equal(r.status, 303);
    assert.equal(r.location, `/zh/feedback?article=${encodeURIComponent(ARTICLE)}`);
    const cookie = r.setCookies.find((x) => x.name === 'okpay_voter');
    assert.ok(cookie, 'a voter cookie');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.ok(cookie.maxAge > 300 * 86400, 'kept for a year');
    assert.equal(votes(), before + 1);
    const row = sql(srv.db, `select locale || '|' || helpful || '|' || comment || '|' || (abs(at - strftime('%s','now')) < 60) from feedback where article = ${q(ARTICLE)} order by id desc limit 1`);
    assert.equal(row, 'zh|0|步骤写得不清楚|1');
    assert.ok(!sql(srv.db, 'select hex(voter) from feedback order by id desc limit 1').includes(Buffer.from(cookie.value).toString('hex').toUpperCase()), 'only a hash of the cookie');
    const page = await c.get(r.location);
    assert.equal(page.status, 200);
    assert.equal(textById(page.text, 'feedback-message'), ui.zh.feedback_thanks);
    assert.match(page.text, new RegExp(`<a class="button" id="back-to-article" href="${ARTICLE}">`));
  });

  it('one vote per article per browser per day: the second is thanked but not counted', async () => {
    const c = browser();
    assert.equal((await c.post('/en/feedback', { article: '/en/security/faq/', helpful: 'yes' })).status, 303);
    const n = votes('/en/security/faq/');
    const again = await c.post('/en/feedback', { article: '/en/security/faq/', helpful: 'no', comment: 'changed my mind' });
    assert.equal(again.status, 303);
    assert.match(again.location, /&again=1$/);
    assert.equal(votes('/en/security/faq/'), n, 'not counted');
    assert.equal(textById((await c.get(again.location)).text, 'feedback-message'), ui.en.feedback_thanks_again);
    // Another article from the same browser counts, and so does another browser.
    assert.equal((await c.post('/en/feedback', { article: '/en/security/strong-passwords/', helpful: 'yes' })).location.includes('again'), false);
    await browser().post('/en/feedback', { article: '/en/security/faq/', helpful: 'yes' });
    assert.equal(votes('/en/security/faq/'), n + 1);
    assert.equal(sql(srv.db, `select sum(helpful) || '/' || count(*) from feedback where article = '/en/security/faq/'`), '2/2');
  });

  it('answers the page script with JSON', async () => {
    const c = browser();
    let r = await c.post('/en/feedback', { article: '/en/login/faq/', helpful: 'yes', format: 'json' });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(JSON.parse(r.text), { ok: true, counted: true, message: ui.en.feedback_thanks });
    r = await c.post('/en/feedback', { article: '/en/login/faq/', helpful: 'yes', format: 'json' });
    assert.deepEqual(JSON.parse(r.text), { ok: true, counted: false, message: ui.en.feedback_thanks_again });
    r = await c.post('/en/feedback', { article: '/en/login/faq/', helpful: 'maybe', format: 'json' });
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.text).message, ui.en.feedback_err_helpful);
  });

  it('refuses a long comment, a missing answer and a foreign article, storing nothing', async () => {
    const c = browser();
    const total = Number(count(srv.db, 'feedback'));
    let r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes', comment: '长'.repeat(501) });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes(esc(ui.zh.feedback_err_comment)));
    assert.match(r.text, new RegExp(`href="${ARTICLE}"`), 'still a way back');
    r = await c.post('/zh/feedback', { article: ARTICLE, comment: 'x' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes(esc(ui.zh.feedback_err_helpful)));
    for (const article of ['https://evil.example/', '//evil.example/zh/', '/zh/../../etc/passwd', '']) {
      r = await c.post('/zh/feedback', { article, helpful: 'yes' });
      assert.equal(r.status, 400, article);
      assert.ok(!r.text.includes('evil.example'), 'no link elsewhere');
    }
    assert.equal((await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes', comment: '长'.repeat(500) })).status, 303, '500 characters are fine');
    assert.equal(Number(count(srv.db, 'feedback')), total + 1);
  });

  it('checks the origin instead of a token: other sites and headerless posts get 403', async () => {
    const c = browser();
    const total = Number(count(srv.db, 'feedback'));
    let r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes' }, { origin: 'https://evil.example' });
    assert.equal(r.status, 403);
    r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes' }, { origin: null });
    assert.equal(r.status, 403);
    r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes' }, { origin: null, headers: { 'sec-fetch-site': 'cross-site' } });
    assert.equal(r.status, 403);
    r = await c.post('/zh/feedback', { article: ARTICLE, helpful: 'yes' }, { origin: null, headers: { 'sec-fetch-site': 'same-origin' } });
    assert.equal(r.status, 303);
    assert.equal(Number(count(srv.db, 'feedback')), total + 1);
  });

  it('limits votes per client address: 60 an hour, then 429 with Retry-After', async () => {
    const address = w.nextAddress();
    let last;
    for (let i = 0; i < 61; i++) {
      const c = new w.AddrClient(srv.base, { localAddress: address }); // a new browser each time
      last = await c.post('/en/feedback', { article: `/en/payments/faq-${i}/`, helpful: 'yes' });
      if (i < 60) assert.equal(last.status, 303, `vote ${i + 1}`);
    }
    assert.equal(last.status, 429);
    assert.ok(Number(last.headers.get('retry-after')) > 0);
    assert.equal(Number(count(srv.db, 'feedback', "article = '/en/payments/faq-60/'")), 0);
  });
});

// Support tickets over HTTP (issue 7): the multipart ticket form with screenshots, by an
// anonymous visitor and by a logged-in user; every refusal says what is wrong beside the field
// and stores nothing (no ticket row, no file); the signed mail link, the ticket list and page,
// replies, and screenshots served only to their requester. Real nginx and okpay-portal.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const h = require('../lib/harness');
const { Client, Mailbox, linksIn } = require('../lib/http');
const w = require('../lib/wallet');

const { esc, textById, inputValue, sql, q, count, errorsOf } = w;
const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A 1x1 PNG and the smallest JPEG start the sniffer accepts (SOI, then a complete APP0).
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'), Buffer.from([0xff, 0xd9])]);
const HTML_PNG = Buffer.from('<!DOCTYPE html><html><script>alert(document.cookie)</script></html>');
const DESCRIPTION = '我昨天给朋友转了一笔钱，但是对方说一直没有收到，请帮我查一下这笔转账。';

// A multipart/form-data body by hand, CRLF as browsers send it. files: [{ name, filename,
// type, data }].
function multipart(fields, files = []) {
  const boundary = `----okpaytest${Math.random().toString(16).slice(2)}`;
  const parts = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name || 'screenshots'}"; filename="${f.filename}"\r\nContent-Type: ${f.type || 'image/png'}\r\n\r\n`));
    parts.push(f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

describe('support tickets over nginx', () => {
  const ui = w.loadUi();
  let site, srv, mail, anon, anonForm, alice, aliceForm, bob, bobForm, aliceTransfer, bobTransfer;

  function msg(lang, key) {
    assert.ok(ui[lang] && typeof ui[lang][key] === 'string', `content/ui.conf [${lang}] has ${key}`);
    return ui[lang][key];
  }

  // The form page's csrf and signed start time.
  async function formOf(c, lang = 'zh') {
    const pg = await c.page(`/${lang}/support/contact`);
    assert.equal(pg.status, 200);
    const started = inputValue(pg.text, 'started');
    assert.match(started, /^\d+\.[A-Za-z0-9_-]+$/);
    return { csrf: pg.csrf, started, text: pg.text };
  }

  function post(c, form, fields, files, lang = 'zh') {
    const all = { csrf: form.csrf, started: form.started, website: '', topic: 'send', subject: '转账没有到账', description: DESCRIPTION, transfer: '', ...fields };
    for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
    const m = multipart(all, files);
    return c.request(`/${lang}/support/contact`, { method: 'POST', headers: { 'content-type': m.type, origin: srv.base }, body: m.body });
  }

  const tickets = () => Number(count(srv.db, 'tickets'));
  const uploads = () => fs.readdirSync(srv.uploadDir);

  // A refusal: 400, the message beside the field and in the summary, what was typed kept,
  // the note that files must be chosen again, and nothing stored.
  async function assertRefused(r, field, key, { lang = 'zh', typed = {}, files = true } = {}) {
    assert.equal(r.status, 400, `${key}: status ${r.status} ${errorsOf(r.text)}`);
    assert.equal(textById(r.text, `${field}-error`), msg(lang, key), `${field}-error (${errorsOf(r.text)})`);
    assert.ok(r.text.includes(`href="#${field}"`), `${field} in the error summary`);
    for (const [k, v] of Object.entries(typed)) {
      const kept = k === 'description' ? (r.text.match(/<textarea id="description"[^>]*>([\s\S]*?)<\/textarea>/) || [])[1] : esc(inputValue(r.text, k) || '');
      assert.equal(kept, esc(v), `${k} keeps what was typed`);
    }
    if (files) assert.equal(textById(r.text, 'files-again'), msg(lang, 'support_files_again'));
  }

  before(async () => {
    site = h.buildSite();
    srv = await h.startPortal({ siteDir: site });
    mail = new Mailbox(srv.mailDir);
    anon = new Client(srv.base);
    alice = await w.newUser(srv, mail, ui, { who: 'alice' });
    bob = await w.newUser(srv, mail, ui, { who: 'bob' });
    aliceTransfer = await w.topUp(alice.c, '10.00');
    bobTransfer = await w.topUp(bob.c, '10.00');
    anonForm = await formOf(anon);
    aliceForm = await formOf(alice.c);
    bobForm = await formOf(bob.c);
    // Nobody fills in a ticket in under SUPPORT_MIN_FILL seconds; these forms are older now.
    await sleep(3200);
  });

  after(async () => {
    await srv.stop();
    await sleep(300);
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report:\n${srv.stderr()}`);
  });

  it('the form shows every topic with its reply time, a honeypot, and multipart encoding', async () => {
    const t = anonForm.text;
    assert.match(t, /<form[^>]*action="\/zh\/support\/contact"[^>]*enctype="multipart\/form-data"/);
    for (const topic of ['account', 'send', 'add', 'security', 'other']) {
      assert.ok(t.includes(`value="${topic}"`), `topic ${topic}`);
      assert.ok(t.includes(esc(msg('zh', `support_topic_${topic}`))));
    }
    assert.ok(t.includes('4 小时内'), 'security: within 4 hours');
    assert.ok(t.includes('1 个工作日内') && t.includes('2 个工作日内'), 'whole days are business days');
    assert.match(t, /<div class="hp">[^]*name="website"/);
    assert.match(t, /name="screenshots" type="file" multiple accept="image\/png,image\/jpeg"/);
    const en = await anon.get('/en/support/contact');
    assert.ok(en.text.includes('within 4 hours') && en.text.includes(msg('en', 'support_topic_security')));
  });

  it('suggests help-center articles matching a subject before the form is sent', async () => {
    const r = await anon.get(`/zh/support/contact?subject=${encodeURIComponent('忘记密码')}`);
    assert.equal(r.status, 200);
    const list = (r.text.match(/<ul class="article-list" id="suggestions"[^>]*>([\s\S]*?)<\/ul>/) || [])[1] || '';
    assert.match(list, /href="\/zh\/login\/forgot-password\/"/, 'the forgotten-password article');
    assert.equal(inputValue(r.text, 'subject'), '忘记密码', 'the subject is carried into the form');
    const none = await anon.get(`/en/support/contact?subject=${encodeURIComponent('qqqzzzxxy')}&topic=security`);
    assert.match(none.text, /id="suggestions-none"[^>]*>[^]*href="\/en\/security\/"/, 'no hit: the topic\'s category');
  });

  it('an anonymous visitor sends a ticket with two screenshots; the mail link opens it', async () => {
    const email = `anon.${process.pid}@example.com`;
    const before = tickets();
    const r = await post(anon, anonForm, { email, topic: 'security', subject: '可疑登录' }, [
      { filename: 'C:\\Users\\me\\shot one.png', data: PNG },
      { filename: 'photo.jpg', type: 'image/jpeg', data: JPEG },
    ]);
    assert.equal(r.status, 303, errorsOf(r.text));
    const m = r.location.match(/^\/zh\/support\/sent\?n=(S\d{8})&topic=security$/);
    assert.ok(m, r.location);
    const number = m[1];
    assert.equal(tickets(), before + 1);
    const sent = await anon.get(r.location);
    assert.equal(textById(sent.text, 'ticket-number'), number);
    assert.equal(textById(sent.text, 'reply-time'), `${msg('zh', 'support_reply_expected')} 4 小时内`);

    assert.equal(sql(srv.db, `select coalesce(user_id, 'none') || '|' || email || '|' || topic || '|' || status from tickets where number = ${q(number)}`), `none|${email}|security|open`);
    const files = sql(srv.db, `select stored || '|' || filename || '|' || mime || '|' || size from ticket_files f join tickets t on t.id = f.ticket_id where t.number = ${q(number)} order by f.id`).split('\n');
    assert.equal(files.length, 2);
    const [png, jpg] = files.map((l) => l.split('|'));
    assert.match(png[0], /^[A-Za-z0-9_-]{43}\.png$/, 'stored under a random name');
    assert.deepEqual(png.slice(1), ['shot one.png', 'image/png', String(PNG.length)], 'path stripped from the shown name');
    assert.match(jpg[0], /^[A-Za-z0-9_-]{43}\.jpg$/);
    assert.equal(jpg[2], 'image/jpeg');
    const st = fs.statSync(path.join(srv.uploadDir, png[0]));
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual(fs.readFileSync(path.join(srv.uploadDir, png[0])), PNG);
    assert.ok(!fs.existsSync(path.join(srv.siteDir, png[0])), 'not in the web root');

    const mm = await mail.next((x) => x.to === email);
    assert.equal(mm.subject, `${msg('zh', 'mail_ticket_subject')} ${number}`);
    assert.ok(mm.text.includes(number) && mm.text.includes(DESCRIPTION) && mm.text.includes('4 小时内'), mm.text);
    const link = linksIn(mm.text).find((l) => l.includes(`/support/tickets/${number}?exp=`));
    assert.ok(link, 'a signed link to the ticket');
    const u = new URL(link);

    // The uploaded files are not reachable by any address of the site.
    assert.equal((await anon.get(`/uploads/${png[0]}`)).status, 404);

    const visitor = new Client(srv.base); // another browser, no cookies: only the link
    const page = await visitor.page(u.pathname + u.search);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    assert.ok(page.text.includes(esc(DESCRIPTION)));
    assert.equal(textById(page.text, 'ticket-status'), msg('zh', 'support_status_open'));
    const fileLinks = [...page.text.matchAll(/href="(\/zh\/support\/tickets\/S\d{8}\/files\/\d+\?exp=[^"]+)"/g)].map((x) => x[1].replace(/&amp;/g, '&'));
    assert.equal(fileLinks.length, 2);
    const f = await visitor.request(fileLinks[0], {});
    assert.equal(f.status, 200);
    assert.equal(f.headers.get('content-type'), 'image/png');
    assert.match(f.headers.get('content-disposition'), /^attachment; filename="S\d{8}-\d+\.png"$/);
    assert.equal(f.headers.get('x-content-type-options'), 'nosniff');
    const raw = Buffer.from(await (await fetch(srv.base + fileLinks[0])).arrayBuffer());
    assert.deepEqual(raw, PNG);

    // Without the signature, or with a forged one, nothing: log in first.
    assert.equal((await new Client(srv.base).get(u.pathname)).status, 303);
    assert.equal((await new Client(srv.base).get(`${u.pathname}?exp=${u.searchParams.get('exp')}&sig=${'A'.repeat(43)}`)).status, 303);
    assert.equal((await new Client(srv.base).get(fileLinks[0].replace(/\?.*/, ''))).status, 303);
    assert.equal((await alice.c.get(u.pathname)).status, 404, 'another account sees nothing');
    assert.equal((await alice.c.get(fileLinks[0].replace(/\?.*/, ''))).status, 404);

    // Replying through the link's page.
    const reply = await visitor.post(u.pathname, { csrf: page.csrf, exp: u.searchParams.get('exp'), sig: u.searchParams.get('sig'), message: '补充：是昨天晚上 9 点左右。' });
    assert.equal(reply.status, 303, errorsOf(reply.text));
    assert.equal(reply.location, `${u.pathname}${u.search}`);
    assert.equal(sql(srv.db, `select count(*) from ticket_messages m join tickets t on t.id = m.ticket_id where t.number = ${q(number)}`), '2');
    const forged = await visitor.post(u.pathname, { csrf: page.csrf, exp: u.searchParams.get('exp'), sig: 'x', message: 'hello there' });
    assert.equal(forged.status, 404);
  });

  it('customer service answers with okpay-admin: list, show, reply (mailed with the link), close', async () => {
    const email = `cs.${process.pid}@example.com`;
    const form = await formOf(anon);
    await sleep(3200);
    const r = await post(anon, form, { email, topic: 'other', subject: '账户问题 <b>?</b>' });
    assert.equal(r.status, 303, errorsOf(r.text));
    const number = r.location.match(/n=(S\d{8})/)[1];
    await mail.next((x) => x.to === email);

    const list = w.admin(srv.db, 'tickets', '--status', 'open');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${number}\\s+open\\s+other\\s+${email.replace(/\./g, '\\.')}`));
    const listed = JSON.parse(w.admin(srv.db, 'tickets', '--json').stdout);
    assert.ok(listed.some((t) => t.number === number && t.status === 'open' && t.user === null && t.messages === 1));
    assert.equal(w.admin(srv.db, 'tickets', '--status', 'pending').status, 2, 'an unknown status is a usage error');
    assert.ok(!w.admin(srv.db, 'tickets', '--status', 'closed').stdout.includes(number));

    const show = w.admin(srv.db, 'ticket', 'show', number.toLowerCase());
    assert.equal(show.status, 0, show.stderr);
    assert.ok(show.stdout.includes('账户问题 <b>?</b>') && show.stdout.includes(DESCRIPTION), show.stdout);
    const shown = JSON.parse(w.admin(srv.db, 'ticket', 'show', number, '--json').stdout);
    assert.equal(shown.number, number);
    assert.deepEqual(shown.messages.map((m) => [m.author, m.body]), [['requester', DESCRIPTION]]);
    // A number with a good check digit that no ticket has: not found (1); a typo: usage (2).
    const luhn = (d) => { let sum = 0; for (let i = 0; i < d.length; i++) { let x = Number(d[d.length - 1 - i]); if (i % 2 === 0) { x *= 2; if (x > 9) x -= 9; } sum += x; } return (10 - (sum % 10)) % 10; };
    let other = number;
    for (let k = 0; other === number || listed.some((t) => t.number === other); k++) { const d = String(1000000 + k).slice(-7); other = `S${d}${luhn(d)}`; }
    assert.equal(w.admin(srv.db, 'ticket', 'show', other).status, 1);
    assert.equal(w.admin(srv.db, 'ticket', 'show', `${number.slice(0, 8)}${(Number(number[8]) + 1) % 10}`).status, 2);

    // The reply: from a file, mailed with a signed link, the ticket waits for the requester.
    const file = path.join(srv.dir, 'reply.txt');
    const answer = '您好，我们已经查到这笔转账，款项会在今天内到账。\n谢谢你的耐心。';
    fs.writeFileSync(file, `${answer}\n`);
    const noOperator = spawnSync(path.join(path.dirname(process.env.PORTAL || 'build/release/bin/okpay-portal'), 'okpay-admin'), ['--db', srv.db, 'ticket', 'reply', number, '--message-file', file], { encoding: 'utf8', env: { ...process.env, USER: '' } });
    assert.equal(noOperator.status, 2, 'no operator, no reply');
    const reply = w.admin(srv.db, 'ticket', 'reply', number, '--message-file', file, '--operator', 'Agent Wang');
    assert.equal(reply.status, 0, reply.stderr);
    assert.equal(sql(srv.db, `select status from tickets where number = ${q(number)}`), 'waiting');
    const m = await mail.next((x) => x.to === email);
    assert.ok(m.text.includes('款项会在今天内到账'), m.text);
    const link = linksIn(m.text).find((l) => l.includes(`/support/tickets/${number}?exp=`));
    assert.ok(link, 'the reply mail links to the ticket');
    const u = new URL(link);
    const page = await new Client(srv.base).get(u.pathname + u.search);
    assert.equal(page.status, 200, 'the link is signed with the portal key');
    assert.ok(page.text.includes(esc('款项会在今天内到账')));
    assert.equal(textById(page.text, 'ticket-status'), msg('zh', 'support_status_waiting'));
    const log = JSON.parse(w.admin(srv.db, 'log', '--json').stdout);
    assert.ok(log.some((e) => e.command === 'ticket reply' && e.operator === 'Agent Wang' && e.target === number), JSON.stringify(log));

    // Close; closing again or answering a closed ticket changes nothing (exit 1).
    assert.equal(w.admin(srv.db, 'ticket', 'close', number).status, 0);
    assert.equal(sql(srv.db, `select status from tickets where number = ${q(number)}`), 'closed');
    assert.equal(w.admin(srv.db, 'ticket', 'close', number).status, 1);
    const late = w.admin(srv.db, 'ticket', 'reply', number, '--message-file', file);
    assert.equal(late.status, 1, late.stderr);
    assert.equal(sql(srv.db, `select count(*) from ticket_messages m join tickets t on t.id = m.ticket_id where t.number = ${q(number)}`), '2');
    for (const sub of ['show', 'reply', 'close']) assert.equal(w.admin(srv.db, 'ticket', sub, '--help').status, 0);
  });

  it('okpay-admin feedback reports the votes per article, worst first', async () => {
    const c = new Client(srv.base);
    const art = '/zh/payments/send-money/';
    assert.equal((await c.post('/zh/feedback', { article: art, helpful: 'no', comment: '步骤写得不清楚' })).status, 303);
    assert.equal((await new Client(srv.base).post('/zh/feedback', { article: art, helpful: 'yes' })).status, 303);
    const good = '/en/security/faq/';
    assert.equal((await new Client(srv.base).post('/en/feedback', { article: good, helpful: 'yes' })).status, 303);
    const r = w.admin(srv.db, 'feedback', '--json');
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    const send = rows.find((x) => x.article === art);
    assert.deepEqual([send.votes, send.helpful, send.percent, send.comments], [2, 1, 50, ['步骤写得不清楚']]);
    assert.ok(rows.indexOf(send) < rows.findIndex((x) => x.article === good), 'the less helpful first');
    const text = w.admin(srv.db, 'feedback');
    assert.match(text.stdout, /50%\s+2\s+\/zh\/payments\/send-money\/\s+"步骤写得不清楚"/);
    assert.equal(w.admin(srv.db, 'feedback', '--since', '2026-13-01').status, 2);
  });

  it('a logged-in user sends a ticket about their own transfer and finds it in their list', async () => {
    const r = await post(alice.c, aliceForm, { email: 'someone.else@example.com', topic: 'add', subject: 'Top-up question', transfer: ` ${aliceTransfer.toLowerCase()} ` }, [{ filename: 'a.png', data: PNG }]);
    assert.equal(r.status, 303, errorsOf(r.text));
    const number = r.location.match(/n=(S\d{8})/)[1];
    assert.equal(sql(srv.db, `select user_id || '|' || email || '|' || transfer from tickets where number = ${q(number)}`), `${alice.id}|${alice.email}|${aliceTransfer}`, 'the account\'s address, not the one posted');
    const overview = await alice.c.get('/zh/account/');
    assert.match(overview.text, /<a href="\/zh\/support\/tickets">/, 'the account overview links to My tickets');
    assert.match(overview.text, /<a href="\/zh\/support\/contact">/, 'and to the ticket form');
    const sent = await alice.c.get(r.location);
    assert.match(sent.text, /href="\/zh\/support\/tickets"/);
    const list = await alice.c.get('/zh/support/tickets');
    assert.equal(list.status, 200);
    assert.match(list.text, new RegExp(`<a href="/zh/support/tickets/${number}">${number}</a>`));
    assert.ok(list.text.includes('Top-up question'));
    const page = await alice.c.page(`/zh/support/tickets/${number}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(aliceTransfer));
    assert.match(page.text, /\/files\/\d+"/, 'screenshot link without a signature for the owner');
    const mm = await mail.next((x) => x.to === alice.email && x.text.includes(number));
    assert.ok(mm.text.includes(DESCRIPTION));
    // Bob neither lists nor opens it.
    const bobList = await bob.c.get('/zh/support/tickets');
    assert.ok(!bobList.text.includes(number));
    assert.equal((await bob.c.get(`/zh/support/tickets/${number}`)).status, 404);
    // Anonymous visitors are asked to log in.
    const anonList = await new Client(srv.base).get('/zh/support/tickets');
    assert.equal(anonList.status, 303);
    assert.match(anonList.location, /^\/zh\/account\/login\?next=\/zh\/support\/tickets$/);
  });

  it('refuses a description that is too long or too short, keeping what was typed', async () => {
    const before = tickets();
    const long = '长'.repeat(5001);
    let r = await post(anon, anonForm, { email: 'x@example.com', subject: '主题', description: long }, [{ filename: 'a.png', data: PNG }]);
    await assertRefused(r, 'description', 'support_err_description_long', { typed: { subject: '主题', email: 'x@example.com', description: long } });
    r = await post(anon, anonForm, { email: 'x@example.com', description: '太短了' });
    await assertRefused(r, 'description', 'support_err_description_short', { files: false });
    r = await post(anon, anonForm, { email: 'x@example.com', subject: 'S'.repeat(121) });
    await assertRefused(r, 'subject', 'support_err_subject_long', { files: false });
    r = await post(anon, anonForm, { email: 'not an address' });
    await assertRefused(r, 'email', 'support_err_email', { files: false });
    r = await post(anon, anonForm, { email: 'x@example.com', topic: 'money' }, [], 'en');
    await assertRefused(r, 'topic', 'support_err_topic', { lang: 'en', files: false });
    assert.equal(tickets(), before);
    assert.deepEqual(uploads().length, Number(count(srv.db, 'ticket_files')), 'no file without its row');
  });

  it('refuses a malformed transfer number and somebody else\'s', async () => {
    const before = tickets();
    let r = await post(anon, anonForm, { email: 'x@example.com', transfer: 'T2026' }, [{ filename: 'a.png', data: PNG }]);
    await assertRefused(r, 'transfer', 'support_err_transfer', { typed: { transfer: 'T2026' } });
    r = await post(alice.c, aliceForm, { transfer: bobTransfer }, [{ filename: 'a.png', data: PNG }], 'en');
    await assertRefused(r, 'transfer', 'support_err_transfer_not_yours', { lang: 'en', typed: { transfer: bobTransfer } });
    // A well-formed number nobody has is refused the same way: existence is not told.
    const fake = bobTransfer.slice(0, 13) + String((Number(bobTransfer.slice(13, 15)) + 1) % 100).padStart(2, '0');
    r = await post(alice.c, aliceForm, { transfer: fake });
    assert.equal(r.status, 400);
    assert.equal(tickets(), before);
  });

  it('refuses an HTML page named .png, a fourth (and a sixth) file and a 6 MiB file; no file is left', async () => {
    const before = tickets();
    const files0 = uploads().length;
    let r = await post(anon, anonForm, { email: 'x@example.com' }, [{ filename: 'a.png', data: PNG }, { filename: 'evil.png', type: 'image/png', data: HTML_PNG }]);
    await assertRefused(r, 'screenshots', 'support_err_file_type', { typed: { email: 'x@example.com' } });
    r = await post(anon, anonForm, { email: 'x@example.com' }, [1, 2, 3, 4].map((i) => ({ filename: `${i}.png`, data: PNG })));
    await assertRefused(r, 'screenshots', 'support_err_files_count');
    r = await post(anon, anonForm, { email: 'x@example.com' }, [1, 2, 3, 4, 5, 6].map((i) => ({ filename: `${i}.png`, data: PNG })), 'en');
    await assertRefused(r, 'screenshots', 'support_err_files_count', { lang: 'en' });
    const big = Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024 - PNG.length)]);
    r = await post(anon, anonForm, { email: 'x@example.com' }, [{ filename: 'big.png', data: big }]);
    await assertRefused(r, 'screenshots', 'support_err_file_size');
    assert.equal(tickets(), before);
    assert.equal(uploads().length, files0, 'no file written');
  });

  it('a body over 16 MiB is refused by nginx before the portal reads it', async () => {
    const huge = Buffer.alloc(17 * 1024 * 1024);
    const r = await post(anon, anonForm, { email: 'x@example.com' }, [{ filename: 'h.png', data: huge }]);
    assert.equal(r.status, 413);
  });

  it('spam protection: the honeypot stores nothing, a form sent at once is refused', async () => {
    const before = tickets();
    let r = await post(anon, anonForm, { email: 'bot@example.com', website: 'http://spam.example' });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/zh/support/sent');
    const fresh = await formOf(anon);
    r = await post(anon, fresh, { email: 'x@example.com' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes(esc(msg('zh', 'support_err_too_fast'))));
    r = await post(anon, { ...anonForm, started: `${Math.floor(Date.now() / 1000) - 60}.${'A'.repeat(43)}` }, { email: 'x@example.com' });
    assert.equal(r.status, 400);
    assert.ok(r.text.includes(esc(msg('zh', 'support_err_form'))), 'a forged start time');
    assert.equal(tickets(), before);
  });

  it('CSRF holds for multipart: without the token or from another site nothing is stored', async () => {
    const before = tickets();
    let r = await post(anon, { ...anonForm, csrf: undefined }, { email: 'x@example.com' }, [{ filename: 'a.png', data: PNG }]);
    assert.equal(r.status, 403);
    const m = multipart({ csrf: anonForm.csrf, started: anonForm.started, topic: 'send', subject: 's', description: DESCRIPTION, email: 'x@example.com' });
    r = await anon.request('/zh/support/contact', { method: 'POST', headers: { 'content-type': m.type, origin: 'https://evil.example' }, body: m.body });
    assert.equal(r.status, 403);
    assert.equal(tickets(), before);
    // Multipart anywhere else is still 415.
    r = await anon.request('/zh/account/login', { method: 'POST', headers: { 'content-type': m.type, origin: srv.base }, body: m.body });
    assert.equal(r.status, 415);
    // A broken multipart body is a bad request.
    r = await anon.request('/zh/support/contact', { method: 'POST', headers: { 'content-type': m.type, origin: srv.base }, body: m.body.subarray(0, m.body.length - 10) });
    assert.equal(r.status, 400);
  });

  it('every support page passes tidy', async () => {
    const allowed = /proprietary attribute "aria-current"/;
    const r = await post(bob.c, bobForm, { topic: 'account', subject: 'Tidy' }, [{ filename: 'a.png', data: PNG }]);
    assert.equal(r.status, 303);
    const number = r.location.match(/n=(S\d{8})/)[1];
    const pages = {
      form: (await anon.get('/zh/support/contact?subject=%E5%BF%98%E8%AE%B0%E5%AF%86%E7%A0%81')).text,
      errors: (await post(anon, anonForm, { email: 'bad', description: 'x' }, [{ filename: 'a.png', data: HTML_PNG }])).text,
      sent: (await bob.c.get(r.location)).text,
      list: (await bob.c.get('/en/support/tickets')).text,
      ticket: (await bob.c.get(`/en/support/tickets/${number}`)).text,
      thanks: (await anon.get('/zh/feedback?article=%2Fzh%2Fpayments%2Fsend-money%2F')).text,
    };
    const problems = [];
    for (const [name, html] of Object.entries(pages)) {
      const t = spawnSync('tidy', ['-errors', '-quiet'], { input: html, encoding: 'utf8' });
      const lines = t.stderr.split('\n').filter((l) => l.trim() && !allowed.test(l));
      if (t.status >= 2 || lines.length) problems.push(`${name}:\n${lines.join('\n')}`);
    }
    assert.deepEqual(problems, []);
  });

  it('a reply shows in the conversation; an empty one is refused', async () => {
    const r = await post(bob.c, bobForm, { topic: 'other', subject: 'Bob asks' });
    assert.equal(r.status, 303, errorsOf(r.text));
    const number = r.location.match(/n=(S\d{8})/)[1];
    const page = await bob.c.page(`/en/support/tickets/${number}`);
    let rep = await bob.c.post(`/en/support/tickets/${number}`, { csrf: page.csrf, message: '   ' });
    assert.equal(rep.status, 400);
    assert.equal(textById(rep.text, 'message-error'), msg('en', 'support_err_reply_empty'));
    rep = await bob.c.post(`/en/support/tickets/${number}`, { csrf: page.csrf, message: 'Any news? <b>bold</b>' });
    assert.equal(rep.status, 303);
    const after = await bob.c.get(`/en/support/tickets/${number}`);
    assert.ok(after.text.includes('Any news? &lt;b&gt;bold&lt;/b&gt;'), 'escaped');
    sql(srv.db, `update tickets set status = 'closed' where number = ${q(number)}`);
    rep = await bob.c.post(`/en/support/tickets/${number}`, { csrf: page.csrf, message: 'again' });
    assert.equal(rep.status, 400);
    assert.ok(rep.text.includes(esc(msg('en', 'support_err_closed'))));
  });
});

// Help-center search over HTTP: the index site-gen writes next to the site (search.db), read by
// the real okpay-portal behind the real nginx. The relevance test runs every query of
// tests/search/queries.tsv through /{lang}/search.json and needs the expected article in the
// top 3 for at least 90% of the queries of each locale; the rest checks the results page, the
// JSON endpoint, hostile queries and the query log.
'use strict';
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const h = require('../lib/harness');
const { loadUi, esc, sql } = require('../lib/page');

const SANITIZER = /ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:/;
const QUERIES = path.join(h.ROOT, 'tests/search/queries.tsv');
const PASS_RATE = 0.9;
const TOP = 3;
const PER_PAGE = 10;
const Q_MAX = 200; // bytes (lib/search.h SEARCH_QUERY_MAX)

// --- helpers -------------------------------------------------------------------------------

// tests/search/queries.tsv as [{ locale, query, expected, line }]: a header line, then
// locale<TAB>query<TAB>expected-url; blank lines and lines starting with # are skipped.
function loadQueries() {
  const lines = fs.readFileSync(QUERIES, 'utf8').split('\n');
  assert.deepEqual(lines[0].split('\t'), ['locale', 'query', 'expected'], 'the header line of queries.tsv');
  const out = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const cols = line.split('\t');
    assert.equal(cols.length, 3, `queries.tsv line ${i + 2}: three tab-separated columns`);
    const [locale, query, expected] = cols;
    out.push({ locale, query, expected, line: i + 2 });
  });
  return out;
}

// The inside of <main>…</main> (the page without header, navigation and footer).
function mainOf(html) {
  const m = html.match(/<main\b[^>]*>([\s\S]*)<\/main>/);
  return m ? m[1] : '';
}

// The results list and its hits: [{ href, title, category, categoryHref, snippet, html }].
function hitsOf(html) {
  const list = html.match(/<ol\b(?=[^>]*\bclass="(?:[^"]* )?search-results(?: [^"]*)?")[^>]*\bid="search-results"[^>]*>([\s\S]*?)<\/ol>/);
  if (!list) return null;
  return [...list[1].matchAll(/<li class="search-hit">([\s\S]*?)<\/li>/g)].map((m) => {
    const li = m[1];
    const a = li.match(/<a class="search-hit-title" href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/);
    const links = [...li.matchAll(/<a\b[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)];
    const cat = links.find((l) => !l[0].includes('search-hit-title'));
    return {
      href: a && a[1],
      title: a && a[2].replace(/<[^>]*>/g, '').trim(),
      categoryHref: cat && cat[1],
      category: cat && cat[2].replace(/<[^>]*>/g, '').trim(),
      html: li,
    };
  });
}

// The <a> or <link> with rel=rel (next, prev) as its href, HTML entities of & decoded.
function relHref(html, rel) {
  const m = html.match(new RegExp(`<(?:a|link)\\b[^>]*\\brel="${rel}"[^>]*>`));
  if (!m) return null;
  const href = m[0].match(/\bhref="([^"]*)"/);
  return href ? href[1].replace(/&amp;/g, '&') : null;
}

// The values of every <input name="q"> of a page (attribute text as written, not decoded).
function qValues(html) {
  return [...html.matchAll(/<input\b[^>]*\bname="q"[^>]*>/g)].map((m) => {
    const v = m[0].match(/\bvalue="([^"]*)"/);
    return v ? v[1] : null;
  });
}

// Article addresses linked from html: /{lang}/{category}/{slug}/.
function articleLinks(html, lang) {
  return [...html.matchAll(new RegExp(`href="(/${lang}/[a-z0-9-]+/[a-z0-9-]+/)"`, 'g'))].map((m) => m[1]);
}

const enc = encodeURIComponent;

// q as the portal searches it: white space (ASCII and U+3000) trimmed, then cut to Q_MAX bytes
// at a character boundary.
function cutQuery(q) {
  const trim = (s) => s.replace(/^[ \t\n\r\f\v\u3000]+|[ \t\n\r\f\v\u3000]+$/g, '');
  const b = Buffer.from(trim(q));
  if (b.length <= Q_MAX) return trim(q);
  let n = Q_MAX;
  while (n > 0 && (b[n] & 0xc0) === 0x80) n--;
  return trim(b.subarray(0, n).toString());
}

// --- the suite -----------------------------------------------------------------------------

describe('help-center search over nginx', () => {
  let site, searchDb, srv;
  const ui = loadUi();
  const categories = {}; // locale -> { slug: title }

  async function get(p, opts = {}) {
    const r = await fetch(srv.base + p, { redirect: 'manual', ...opts });
    const buf = Buffer.from(await r.arrayBuffer());
    return { status: r.status, headers: r.headers, buf, text: buf.toString('utf8') };
  }

  async function json(lang, q, extra = '') {
    const r = await get(`/${lang}/search.json?q=${enc(q)}${extra}`);
    assert.equal(r.status, 200, `/${lang}/search.json?q=${q}${extra}: ${r.status}\n${r.text.slice(0, 300)}`);
    return { ...r, data: JSON.parse(r.text) };
  }

  function articleExists(url) {
    return fs.existsSync(path.join(site, url, 'index.html'));
  }

  before(async () => {
    site = h.buildSite();
    // site-gen writes the index beside the output directory unless told otherwise.
    searchDb = path.join(path.dirname(site), 'search.db');
    assert.ok(fs.existsSync(searchDb), `site-gen wrote no search index at ${searchDb}`);
    srv = await h.startPortal({ siteDir: site, args: ['--search-db', searchDb] });
    for (const l of ['zh', 'en']) {
      categories[l] = {};
      let slug = null;
      for (const line of fs.readFileSync(path.join(h.ROOT, 'content', l, 'categories.conf'), 'utf8').split('\n')) {
        const s = line.match(/^\[([a-z0-9-]+)\]$/);
        if (s) slug = s[1];
        const t = line.match(/^title:\s*(.*)$/);
        if (t && slug) categories[l][slug] = t[1].trim();
      }
    }
  });

  after(async () => {
    if (!srv) return;
    await srv.stop();
    await new Promise((r) => setTimeout(r, 300)); // the last of stderr may follow the exit
    assert.doesNotMatch(srv.stderr(), SANITIZER, `sanitizer report on the portal's stderr:\n${srv.stderr()}`);
  });

  // --- relevance ---------------------------------------------------------------------------

  it(`finds the expected article in the top ${TOP} for at least ${PASS_RATE * 100}% of the test queries of each locale`, async (t) => {
    const queries = loadQueries();
    const stats = {};
    for (const q of queries) {
      assert.match(q.locale, /^(zh|en)$/, `queries.tsv line ${q.line}: locale`);
      assert.match(q.expected, new RegExp(`^/${q.locale}/[a-z0-9-]+/[a-z0-9-]+/$`), `queries.tsv line ${q.line}: expected URL`);
      assert.ok(articleExists(q.expected), `queries.tsv line ${q.line}: ${q.expected} is not an article of the site`);
      const s = (stats[q.locale] ||= { pass: 0, total: 0, failures: [] });
      const r = await get(`/${q.locale}/search.json?q=${enc(q.query)}&limit=${TOP}`);
      let got = [];
      if (r.status === 200) got = JSON.parse(r.text).results.map((x) => x.url);
      s.total++;
      if (r.status === 200 && got.slice(0, TOP).includes(q.expected)) s.pass++;
      else s.failures.push({ ...q, status: r.status, got });
    }
    const report = [];
    for (const l of ['zh', 'en']) {
      const s = stats[l];
      assert.ok(s && s.total >= 40, `at least 40 test queries for ${l} (have ${s ? s.total : 0})`);
      report.push(`${l}: ${s.pass}/${s.total} = ${((100 * s.pass) / s.total).toFixed(1)}% of the queries find their article in the top ${TOP}`);
      for (const f of s.failures) {
        report.push(`  ${l} miss (line ${f.line}): ${JSON.stringify(f.query)} expected ${f.expected}, got ${f.status === 200 ? (f.got.join(' ') || 'no results') : `HTTP ${f.status}`}`);
      }
    }
    for (const line of report) t.diagnostic(line);
    console.log(report.join('\n'));
    for (const l of ['zh', 'en']) {
      const s = stats[l];
      assert.ok(s.pass / s.total >= PASS_RATE, `${l}: ${s.pass}/${s.total} pass, under ${PASS_RATE * 100}%:\n${report.join('\n')}`);
    }
  });

  // --- JSON --------------------------------------------------------------------------------

  it('answers search.json with ranked hits: content type, shape, limit, locale, categories, snippets', async () => {
    for (const [lang, q] of [['zh', '密码'], ['en', 'password']]) {
      const r = await json(lang, q);
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      const d = r.data;
      assert.deepEqual(Object.keys(d).sort(), ['query', 'results', 'total']);
      assert.equal(d.query, q);
      assert.ok(Number.isInteger(d.total) && d.total > 5, `${lang} ${q}: total ${d.total}`);
      assert.equal(d.results.length, 5, 'five hits by default');
      const cats = Object.values(categories[lang]);
      for (const x of d.results) {
        assert.deepEqual(Object.keys(x).sort(), ['category', 'snippet', 'title', 'url']);
        assert.match(x.url, new RegExp(`^/${lang}/[a-z0-9-]+/[a-z0-9-]+/$`));
        assert.ok(articleExists(x.url), `${x.url} is an article of the site`);
        assert.ok(x.title.length > 0);
        assert.ok(cats.includes(x.category), `${x.url}: category ${x.category} is one of ${cats.join(', ')}`);
        assert.equal(x.category, categories[lang][x.url.split('/')[2]], `${x.url}: its own category`);
        // The snippet is HTML: escaped text, only <mark> elements.
        assert.doesNotMatch(x.snippet.replace(/<\/?mark>/g, ''), /[<>]/, `${x.url}: snippet has only <mark> tags: ${x.snippet}`);
      }
      assert.ok(d.results.some((x) => x.snippet.includes('<mark>')), `${lang} ${q}: a snippet marks the match`);
      assert.equal(new Set(d.results.map((x) => x.url)).size, d.results.length, 'no article twice');

      for (const limit of [1, 3, 10]) {
        const l = await json(lang, q, `&limit=${limit}`);
        assert.equal(l.data.results.length, Math.min(limit, d.total), `limit=${limit}`);
        assert.equal(l.data.total, d.total, 'total does not depend on the limit');
        assert.deepEqual(l.data.results.map((x) => x.url), (await json(lang, q, '&limit=10')).data.results.slice(0, limit).map((x) => x.url), 'the same ranking whatever the limit');
      }
      for (const limit of ['0', '11', '1000', '-1', 'x']) {
        const l = await get(`/${lang}/search.json?q=${enc(q)}&limit=${limit}`);
        assert.ok([200, 400].includes(l.status), `limit=${limit}: ${l.status}`);
        if (l.status === 200) assert.ok(JSON.parse(l.text).results.length <= 10, `limit=${limit}: at most 10 hits`);
      }
    }
    // Each locale searches its own articles only.
    for (const [lang, q] of [['zh', 'OKpay'], ['en', 'OKpay'], ['zh', 'password'], ['en', '密码']]) {
      const d = (await json(lang, q, '&limit=10')).data;
      for (const x of d.results) assert.ok(x.url.startsWith(`/${lang}/`), `${lang} ${q}: ${x.url}`);
    }
  });

  it('answers an empty or missing q in JSON with no results', async () => {
    for (const lang of ['zh', 'en']) {
      for (const qs of ['', '?q=', '?q=%20%20%20', '?q=+']) {
        const r = await get(`/${lang}/search.json${qs}`);
        assert.equal(r.status, 200, `/${lang}/search.json${qs}`);
        assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.deepEqual(JSON.parse(r.text), { query: '', total: 0, results: [] }, `/${lang}/search.json${qs}`);
      }
    }
  });

  it('escapes JSON strings so that </script>, & and U+2028 are safe', async () => {
    const q = '</script><script>alert(1)</script> & "x" \u2028 \u2029 密码';
    const r = await json('zh', q);
    assert.equal(r.data.query, q, 'the query comes back as typed');
    assert.doesNotMatch(r.text, /[<>]/, 'no < or > in the JSON text (not even in <mark>)');
    assert.ok(!r.text.includes('&'), 'no raw &');
    assert.ok(!r.text.includes('\u2028') && !r.text.includes('\u2029'), 'U+2028 and U+2029 escaped');
    assert.ok(r.data.total > 0, 'the Chinese word still finds articles');
  });

  // --- the results page -------------------------------------------------------------------

  it('renders the results page: form with q kept, count, linked titles, categories, snippets with <mark>', async () => {
    for (const [lang, q] of [['zh', '忘记密码'], ['en', 'forgot password']]) {
      const r = await get(`/${lang}/search?q=${enc(q)}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.match(r.text, new RegExp(`<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">`));
      assert.match(r.text, /<form class="search-form"[^>]*method="get"[^>]*action="\/(zh|en)\/search"/, 'a plain GET form: works without JavaScript');
      assert.ok(qValues(r.text).includes(esc(q)), `the box keeps q: ${qValues(r.text)}`);
      const d = (await json(lang, q, '&limit=10')).data;
      const main = mainOf(r.text);
      const u = ui[lang];
      const summary = u.search_summary_before + d.total + (d.total === 1 ? u.search_summary_one : u.search_summary_many) + q + u.search_summary_after;
      assert.ok(main.includes(esc(summary)), `the page says how many results for what: ${summary}`);
      const hits = hitsOf(r.text);
      assert.ok(hits, 'the results list <ol class="search-results" id="search-results">');
      assert.equal(hits.length, Math.min(PER_PAGE, d.total));
      assert.deepEqual(hits.map((x) => x.href), d.results.map((x) => x.url), 'the page and the JSON rank alike');
      const want = lang === 'zh' ? '/zh/login/forgot-password/' : '/en/login/forgot-password/';
      assert.ok(hits.slice(0, TOP).some((x) => x.href === want), `the forgot-password article in the top ${TOP} for ${q}`);
      for (const [i, x] of hits.entries()) {
        assert.ok(articleExists(x.href), `${x.href} is an article`);
        assert.equal(x.title, esc(d.results[i].title), `${x.href}: the title`);
        const slug = x.href.split('/')[2];
        assert.equal(x.categoryHref, `/${lang}/${slug}/`, `${x.href}: its category linked`);
        assert.equal(x.category, esc(categories[lang][slug]), `${x.href}: the category title`);
      }
      assert.ok(hits.some((x) => /<mark>[^<]+<\/mark>/.test(x.html)), 'snippets mark the matches');
      // No script or style inline (CSP script-src 'self'): the page works with the external script only.
      assert.doesNotMatch(r.text, /<script(?![^>]*\bsrc=)(?![^>]*application\/ld\+json)[^>]*>/, 'no inline script');
      assert.doesNotMatch(r.text, /\sstyle="/, 'no inline style');
    }
  });

  it('paginates 10 hits per page with rel=next and rel=prev, the last page or an empty list beyond the end', async () => {
    for (const [lang, q] of [['zh', '转账'], ['en', 'account']]) {
      const total = (await json(lang, q)).data.total;
      assert.ok(total > PER_PAGE, `${lang} ${q}: more than one page (${total} hits)`);
      const pages = Math.ceil(total / PER_PAGE);
      const seen = [];
      let p = `/${lang}/search?q=${enc(q)}`;
      for (let n = 1; n <= pages; n++) {
        const r = await get(p);
        assert.equal(r.status, 200, `page ${n}: ${p}`);
        const hits = hitsOf(r.text);
        assert.equal(hits.length, n < pages ? PER_PAGE : total - PER_PAGE * (pages - 1), `hits on page ${n}`);
        seen.push(...hits.map((x) => x.href));
        const prev = relHref(r.text, 'prev');
        const next = relHref(r.text, 'next');
        if (n === 1) assert.equal(prev, null, 'no rel=prev on page 1');
        else assert.ok(prev && new URL(prev, srv.base).searchParams.get('q') === q, `rel=prev keeps q on page ${n}: ${prev}`);
        if (n === pages) {
          assert.equal(next, null, 'no rel=next on the last page');
        } else {
          assert.ok(next, `rel=next on page ${n}`);
          const u = new URL(next, srv.base);
          assert.equal(u.pathname, `/${lang}/search`);
          assert.equal(u.searchParams.get('q'), q, 'rel=next keeps q');
          assert.equal(u.searchParams.get('page'), String(n + 1));
          p = u.pathname + u.search;
        }
        if (n > 1) {
          const u = new URL(prev, srv.base);
          assert.equal(u.searchParams.get('page') || '1', String(n - 1), `rel=prev on page ${n} leads to page ${n - 1}`);
        }
      }
      assert.equal(seen.length, total, 'every hit on some page');
      assert.equal(new Set(seen).size, total, 'no hit on two pages');

      // Beyond the end: the last page or an empty list, never an error.
      for (const page of [pages + 1, 999, 2147483648, '99999999999999999999']) {
        const r = await get(`/${lang}/search?q=${enc(q)}&page=${page}`);
        assert.equal(r.status, 200, `page=${page}`);
        const hits = hitsOf(r.text) || [];
        assert.ok(hits.length === 0 || hits.length === total - PER_PAGE * (pages - 1), `page=${page}: the last page or nothing (${hits.length} hits)`);
      }
      for (const page of ['abc', '1x', '2.5', '0x10', '1e3']) {
        const r = await get(`/${lang}/search?q=${enc(q)}&page=${page}`);
        assert.equal(r.status, 400, `page=${page}: non-numeric`);
      }
      for (const page of ['0', '-1', '', '%20', '+1', '01']) {
        const r = await get(`/${lang}/search?q=${enc(q)}&page=${page}`);
        assert.ok([200, 400].includes(r.status), `page=${page}: ${r.status}`);
      }
    }
  });

  it('shows a no-results page with popular articles and the contact link', async () => {
    for (const [lang, q] of [['zh', '量子纠缠'], ['en', 'xylophone quasar'], ['zh', '。？！'], ['en', 'the']]) {
      const r = await get(`/${lang}/search?q=${enc(q)}`);
      assert.equal(r.status, 200, `${lang} ${q}`);
      assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.ok(qValues(r.text).includes(esc(q)), `${q}: the box keeps q`);
      assert.doesNotMatch(r.text, /class="search-hit"/, `${q}: no hits`);
      const main = mainOf(r.text);
      assert.ok(main.includes(esc(ui[lang].search_none_before + q + ui[lang].search_none_after)), `${q}: says nothing was found`);
      assert.match(main, new RegExp(`href="/${lang}/contact/"`), `${q}: a link to the contact page in the page body`);
      const links = articleLinks(main, lang);
      assert.ok(links.length >= 3, `${q}: popular articles suggested (${links.join(' ')})`);
      for (const l of links) assert.ok(articleExists(l), `suggested ${l} is an article of the site`);
      assert.deepEqual((await json(lang, q)).data, { query: q, total: 0, results: [] });
    }
  });

  it('shows the search page with the form and popular articles for an empty or missing q', async () => {
    for (const lang of ['zh', 'en']) {
      for (const qs of ['', '?q=', '?q=%20%20', '?page=2']) {
        const r = await get(`/${lang}/search${qs}`);
        assert.equal(r.status, 200, `/${lang}/search${qs}`);
        assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
        const main = mainOf(r.text);
        assert.match(r.text, /<form class="search-form"[^>]*method="get"[^>]*action="\/(zh|en)\/search"/, `/${lang}/search${qs}: a search form`);
        assert.ok(qValues(r.text).length > 0, 'a search box');
        assert.ok(qValues(r.text).every((v) => !v), 'the box is empty');
        assert.doesNotMatch(r.text, /class="search-hit"/, 'no hits');
        const links = articleLinks(main, lang);
        assert.ok(links.length >= 3, `/${lang}/search${qs}: popular articles (${links.join(' ')})`);
        for (const l of links) assert.ok(articleExists(l), `popular ${l} is an article of the site`);
      }
    }
  });

  it(`cuts q at ${Q_MAX} bytes on a character boundary and says so`, async () => {
    const cases = [
      ['密'.repeat(100), '密'.repeat(66)], // 3-byte characters: 198 bytes kept
      ['a'.repeat(199) + '密码', 'a'.repeat(199)], // 密 would straddle byte 200
      ['密码 '.repeat(50), null], // 350 bytes of a real query: still finds articles
      ['x'.repeat(4000), 'x'.repeat(200)],
    ];
    const short = await get(`/zh/search?q=${enc('密码')}`);
    for (const [q, kept] of cases) {
      const d = (await json('zh', q)).data;
      assert.ok(Buffer.byteLength(d.query) <= Q_MAX, `JSON query cut to ${Q_MAX} bytes (${Buffer.byteLength(d.query)})`);
      assert.ok(q.startsWith(d.query), 'a prefix of what was typed');
      assert.ok(!d.query.includes('\ufffd'), 'no broken character');
      if (kept) assert.equal(d.query, kept);
      const r = await get(`/zh/search?q=${enc(q)}`);
      assert.equal(r.status, 200);
      const vals = qValues(r.text).filter((v) => v);
      assert.ok(vals.includes(esc(d.query)), `the box holds the cut query, not the ${Buffer.byteLength(q)} bytes typed`);
      assert.ok(!r.text.includes(q), 'the full query is not echoed');
      assert.ok(mainOf(r.text).includes(esc(ui.zh.search_cut)), 'the page says the query was cut');
    }
    assert.ok(!short.text.includes(esc(ui.zh.search_cut)), 'a short query is not said to be cut');
    const en = await get(`/en/search?q=${enc('password '.repeat(30))}`);
    assert.ok(mainOf(en.text).includes(esc(ui.en.search_cut)), 'in English too');
    const d = (await json('zh', '密码 '.repeat(50))).data;
    assert.ok(d.total > 0, 'a long real query still finds articles');
  });

  // --- hostile queries --------------------------------------------------------------------

  it('answers hostile queries with 200 or 400, never an error, echoing nothing unescaped', async () => {
    const ok200 = [
      '"', '""', '"密码', '密码"', 'NEAR(a b)', 'NEAR(密码 转账, 2)', '*', '密*', 'pass*', '-', '-密码', '密码 -转账',
      '(((', ')', '())(', 'a:b', 'title:密码', 'locale:en', 'locale : "en" OR 1', '{title body}: 密码', '^x', '^密码',
      'AND OR NOT', 'NOT 密码', '密码 AND', 'OR', '+', '"密码" OR "转账"', "'; DROP TABLE articles; --",
      '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='alert(1)", '&amp;&lt;', '\\', '\\"',
      '%', '%%', '%s%n%x', '{{t.site_name}}', '{{{content}}}', '😀', '👨‍👩‍👧 密码', '\u200b', '\ufeff密码', '\u2028',
      'Ｐａｓｓｗｏｒｄ', 'e\u0301', '\t\r\n', 'a'.repeat(100) + '"' + 'b'.repeat(100),
    ];
    const check = async (lang, q, raw) => {
      const qs = raw !== undefined ? raw : enc(q);
      for (const ep of ['search', 'search.json']) {
        const r = await get(`/${lang}/${ep}?q=${qs}`);
        assert.equal(r.status, 200, `/${lang}/${ep}?q=${qs}: ${r.status}\n${r.text.slice(0, 300)}`);
        if (ep === 'search.json') {
          assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
          const d = JSON.parse(r.text);
          assert.ok(Array.isArray(d.results) && Number.isInteger(d.total), `${q}: a JSON answer`);
          assert.doesNotMatch(r.text, /[<>]/, `${q}: no < or > in the JSON text`);
        } else {
          assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
          // The box holds q escaped (as typed, or trimmed); q itself never appears raw.
          if (cutQuery(q) && !/[\u0000-\u001f\u2028\u2029]/.test(q)) {
            const vals = qValues(r.text);
            assert.ok(vals.includes(esc(cutQuery(q))), `${q}: the box keeps q escaped (${vals})`);
          }
          if (/[<>"'&]/.test(q) && q.length >= 4) assert.ok(!r.text.includes(q), `${q}: echoed unescaped`);
          // Attribute values blanked: what is left is markup, where nothing of q may appear.
          const markup = r.text.replace(/="[^"]*"/g, '=""').replace(/>[^<]*</g, '><');
          assert.doesNotMatch(markup, /<script>alert|<img\b|\son(error|mouseover)=/, `${q}: markup injected`);
        }
      }
    };
    for (const q of ok200) await check('zh', q);
    for (const q of ['"', 'NEAR(a b)', '*', '(((', 'a:b', '^x', 'AND OR NOT', '<script>alert(1)</script>']) await check('en', q);
    // Repeated q: which one was meant is anybody's guess (parameter pollution), so 400 with the
    // error page, never an error of the service.
    for (const ep of ['search', 'search.json']) {
      const r = await get(`/zh/${ep}?q=${enc('密码')}&q=${enc('"')}`);
      assert.equal(r.status, 400, `repeated q on ${ep}`);
    }
  });

  it('rejects NUL and invalid UTF-8 in q with 400', async () => {
    const bad = ['%00', 'abc%00def', '%E5%AF%86%00', '%FF', '%C3%28', '%E5%AF', '%ED%A0%80', '%C0%AF', '%F8%88%80%80%80', 'a%80b', '%F4%90%80%80'];
    for (const lang of ['zh', 'en']) {
      for (const qs of bad) {
        for (const ep of ['search', 'search.json']) {
          const r = await get(`/${lang}/${ep}?q=${qs}`);
          assert.equal(r.status, 400, `/${lang}/${ep}?q=${qs}: ${r.status}`);
          assert.ok(!r.buf.includes(0), 'no NUL in the answer');
        }
      }
    }
    // Broken percent-encoding: not an error page either way.
    for (const qs of ['%', '%zz', '%E5%A', '%%00']) {
      const r = await get(`/zh/search?q=${qs}`);
      assert.ok([200, 400].includes(r.status), `q=${qs}: ${r.status}`);
    }
  });

  it('survives a 10 KB query', async (t) => {
    const q = '密码转账'.repeat(853); // 10,236 bytes
    for (const ep of ['search', 'search.json']) {
      const r = await get(`/zh/${ep}?q=${enc(q)}`); // about 30 KB of URL
      // nginx refuses request lines longer than its header buffers (8 KB by default) with 414
      // before the portal sees them; anything that reaches the portal is cut to 200 bytes.
      assert.ok([200, 414].includes(r.status), `${ep}: ${r.status}`);
      if (r.status === 414) t.diagnostic(`${ep}: nginx answered 414 (URI too long) for the 10 KB query`);
      else assert.ok(!r.text.includes(q.slice(0, 300)), 'not echoed whole');
    }
    const raw = 'a'.repeat(10 * 1024); // 10 KB that fits nginx's buffers only if they were raised
    const r = await get(`/en/search.json?q=${raw}`);
    assert.ok([200, 414].includes(r.status), `10 KB of ASCII: ${r.status}`);
    if (r.status === 200) assert.equal(JSON.parse(r.text).query, 'a'.repeat(Q_MAX));
    else t.diagnostic('nginx answered 414 for a 10 KB ASCII query as well');
    // 7 KB fits the default 8 KB request line: the portal cuts it.
    const r7 = await get(`/en/search.json?q=${'password+'.repeat(750)}`); // '+' is a space
    assert.equal(r7.status, 200, `6.7 KB query: ${r7.status}`);
    const seven = { data: JSON.parse(r7.text) };
    assert.ok(Buffer.byteLength(seven.data.query) <= Q_MAX);
    assert.ok(seven.data.total > 0);
  });

  // --- the query log ----------------------------------------------------------------------

  it('logs each search with locale and result count, and nothing personal', async (t) => {
    const cols = sql(srv.db, "select name from pragma_table_info('search_log')").split('\n').filter(Boolean);
    assert.ok(cols.length >= 4, `a search_log table (columns: ${cols.join(', ')})`);
    for (const c of cols) assert.doesNotMatch(c, /ip|addr|user|account|session|cookie|agent|email|referer|referrer/i, `search_log.${c} looks personal`);
    assert.ok(['query', 'locale', 'results', 'at'].every((c) => cols.includes(c)), `query, locale, results, at in ${cols.join(', ')}`);
    const quote = (v) => `'${v.replace(/'/g, "''")}'`;
    const rowsFor = (v) => sql(srv.db, `select locale, results from search_log where query = ${quote(v)} order by id`).split('\n').filter(Boolean);

    // A visitor with a session cookie, a telling User-Agent and a forwarded address: none of
    // it may be logged.
    const marker = `日志检查 ${process.pid % 1000} 密码`;
    const agent = `okpay-search-test/${process.pid}`;
    const headers = { 'user-agent': agent, cookie: `okpay_pre=secret${process.pid}`, 'x-forwarded-for': '203.0.113.7' };
    const before = Number(sql(srv.db, 'select count(*) from search_log'));
    const page = await get(`/zh/search?q=${enc(marker)}`, { headers });
    assert.equal(page.status, 200);
    const total = (await json('zh', marker)).data.total;
    assert.ok(total > 0);
    await new Promise((r) => setTimeout(r, 200));
    const rows = rowsFor(marker);
    assert.ok(rows.length >= 1, 'the results page logs the query');
    for (const row of rows) assert.equal(row, `zh|${total}`, 'locale and result count');
    if (rows.length === 1) t.diagnostic('search.json queries (search-as-you-type) are not logged; the spec says every non-empty query is');

    // Paging through results, empty queries and refused queries are not new searches.
    const n = Number(sql(srv.db, 'select count(*) from search_log'));
    for (const p of [`/zh/search?q=${enc('转账')}&page=2`, '/zh/search?q=', '/zh/search', '/en/search?q=%20', '/zh/search?q=%FF', '/zh/search?q=a%00b']) await get(p);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(Number(sql(srv.db, 'select count(*) from search_log')), n, 'page 2, empty and refused queries add no row');
    assert.ok(n > before);

    // Zero results are logged with 0, in their locale.
    await get(`/en/search?q=${enc('xylophone quasar')}`);
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(rowsFor('xylophone quasar').length >= 1);
    for (const row of rowsFor('xylophone quasar')) assert.equal(row, 'en|0');

    // What people type may itself be personal: email addresses and long numbers do not reach
    // the log (the query is still searched as typed).
    const personal = [
      ['li.wei@example.com 密码', /li\.wei|example\.com/],
      ['T202611250001237 转账', /202611250001237/],
      ['6222 0212 3456 7890 123 银行卡', /3456 7890/],
      ['13812345678 手机', /13812345678/],
    ];
    for (const [q] of personal) assert.equal((await get(`/zh/search?q=${enc(q)}`)).status, 200);
    await new Promise((r) => setTimeout(r, 200));
    const dump = sql(srv.db, 'select * from search_log');
    for (const [q, re] of personal) assert.doesNotMatch(dump, re, `the log keeps personal data from ${q}`);
    for (const secret of ['127.0.0.1', '203.0.113.7', agent, `secret${process.pid}`]) {
      assert.ok(!dump.includes(secret), `search_log holds ${secret}`);
    }
    assert.equal(sql(srv.db, "select count(*) from search_log where query = '' or query is null"), '0', 'no empty rows');
    assert.equal(sql(srv.db, `select count(*) from search_log where length(cast(query as blob)) > ${Q_MAX}`), '0', `logged queries are at most ${Q_MAX} bytes`);
    assert.equal(sql(srv.db, "select count(*) from search_log where locale not in ('zh', 'en')"), '0');
    // The time of each search (the portal's clock, which a dev portal may set), in order.
    const ats = sql(srv.db, 'select at from search_log order by id').split('\n').map(Number);
    assert.ok(ats.every((a, i) => Number.isInteger(a) && a > 1.5e9 && (i === 0 || a >= ats[i - 1])), `at: seconds, in order (${ats.slice(0, 3)}…)`);
  });

  it('is still healthy after all that', async () => {
    const r = await get(`/zh/search?q=${enc('密码')}`);
    assert.equal(r.status, 200);
    assert.ok(hitsOf(r.text).length > 0);
    const d = (await json('en', 'transfer limits')).data;
    assert.equal(d.results[0].url, '/en/payments/transfer-limits/');
    const home = await get('/zh/');
    assert.equal(home.status, 200);
  });
  // --- the index: replaced under a running portal, or missing --------------------------------

  it('picks up a rebuilt index without a restart, answering throughout', async () => {
    const content = path.join(h.tmpdir('content'), 'content');
    h.copyTree(path.join(h.ROOT, 'content'), content);
    const out = path.join(h.tmpdir('site'), 'site');
    const db = path.join(path.dirname(out), 'search.db');
    const build = () => {
      const r = h.siteGen(['--content', content, '--theme', path.join(h.ROOT, 'theme'), '--out', out, '--quiet']);
      assert.equal(r.status, 0, r.stderr);
    };
    build();
    const p = await h.startPortal({ siteDir: out, args: ['--search-db', db], workers: 2 });
    try {
      const find = async (q) => {
        const r = await fetch(`${p.base}/zh/search.json?q=${enc(q)}`);
        assert.equal(r.status, 200);
        return r.json();
      };
      assert.equal((await find('独角兽 zqxjvw')).total, 0);
      const src = fs.readFileSync(path.join(content, 'zh/payments/send-money.md'), 'utf8');
      const fm = src.match(/^---\n[\s\S]*?\n---\n/)[0]
        .replace(/^title:.*$/m, 'title: 独角兽转账 zqxjvw')
        .replace(/^summary:.*$/m, 'summary: 一篇只为测试搜索索引替换而写的文章。')
        .replace(/^order:.*$/m, 'order: 50');
      fs.writeFileSync(path.join(content, 'zh/payments/zqxjvw.md'), `${fm}\n用独角兽转账：zqxjvw。\n`);
      // Queries keep being answered while site-gen replaces the index, twice.
      let stop = false;
      const statuses = [];
      const load = (async () => {
        while (!stop) {
          const r = await fetch(`${p.base}/zh/search.json?q=${enc('密码')}`);
          statuses.push(r.status);
          await r.arrayBuffer();
        }
      })();
      build();
      build();
      await new Promise((r) => setTimeout(r, 100));
      stop = true;
      await load;
      assert.ok(statuses.length > 0 && statuses.every((x) => x === 200), `answers during the rebuilds: ${[...new Set(statuses)]}`);
      const d = await find('独角兽 zqxjvw');
      assert.equal(d.total, 1, 'the new article is found without restarting the portal');
      assert.equal(d.results[0].url, '/zh/payments/zqxjvw/');
      assert.ok(fs.existsSync(path.join(out, 'zh/payments/zqxjvw/index.html')));
      assert.ok(!fs.existsSync(`${db}.tmp`), 'no temporary index left behind');
    } finally {
      await p.stop();
    }
    assert.doesNotMatch(p.stderr(), SANITIZER);
  });

  it('says search is unavailable, not an error, when there is no index', async () => {
    const p = await h.startPortal({ siteDir: site, args: ['--search-db', path.join(h.tmpdir('none'), 'missing.db')], workers: 1 });
    try {
      const page = await fetch(`${p.base}/zh/search?q=${enc('密码')}`);
      const html = await page.text();
      assert.equal(page.status, 503, 'the page: 503');
      assert.ok(page.headers.get('retry-after'), 'with Retry-After');
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.ok(html.includes(esc(ui.zh.search_unavailable_title)));
      assert.match(mainOf(html), /href="\/zh\/contact\/"/, 'the contact page instead');
      assert.ok(articleLinks(mainOf(html), 'zh').length >= 3, 'and popular articles');
      const j = await fetch(`${p.base}/en/search.json?q=password`);
      assert.equal(j.status, 503, 'the JSON: 503');
      assert.equal(j.headers.get('content-type'), 'application/json; charset=utf-8');
      JSON.parse(await j.text());
      const empty = await fetch(`${p.base}/zh/search`);
      assert.equal(empty.status, 200, 'the empty search page needs no index');
    } finally {
      await p.stop();
    }
    assert.doesNotMatch(p.stderr(), SANITIZER);
  });
});

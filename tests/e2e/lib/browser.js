// Browser helpers shared by the end-to-end tests (help center now, account portal later):
// Debian's Chromium driven by playwright-core, axe-core accessibility checks, and a watcher
// that records what should never happen on a page (CSP violations, failed requests, errors).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

// Never a downloaded browser: the system Chromium (Debian package `chromium`).
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

// WCAG 2.0/2.1 A and AA plus axe's best practices.
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');
let axeSource = null;

function launchBrowser(opts = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...opts });
}

// A context for accessibility checks. bypassCSP is there only so that checkA11y can inject
// axe-core as an inline script; CSP itself is checked in a strict context (newStrictContext).
function newA11yContext(browser, opts = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts, bypassCSP: true });
}

// A context in which the site's Content-Security-Policy is enforced as in a real browser.
function newStrictContext(browser, opts = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...opts, bypassCSP: false });
}

// Init script: report securitypolicyviolation events on the console as well, in a form the
// watcher recognises (Chromium also logs its own "Refused to ... Content Security Policy"
// messages; this catches violations that are only reported as events).
const CSP_EVENT_REPORTER = `(() => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error('Content Security Policy violation (securitypolicyviolation): ' +
      e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') +
      ' at ' + (e.sourceFile || e.documentURI) + ':' + e.lineNumber);
  }, true);
})();`;

// Watch a page for problems. Returns an object whose arrays fill up as the page is used:
//   csp        console messages about Content Security Policy (and securitypolicyviolation)
//   failed     requests that failed at the network level (requestfailed)
//   badStatus  responses with status >= 400 for which allowStatus(response) is false
//   errors     uncaught exceptions in the page (pageerror)
// problems() lists them all as readable lines; reset() empties them.
async function watchPage(page, { allowStatus = () => false } = {}) {
  const w = { csp: [], failed: [], badStatus: [], errors: [] };
  await page.addInitScript({ content: CSP_EVENT_REPORTER });
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content[- ]Security[- ]Policy|securitypolicyviolation/i.test(text)) {
      w.csp.push(`${page.url()}: [console.${msg.type()}] ${text}`);
    }
  });
  page.on('requestfailed', (req) => {
    const f = req.failure();
    w.failed.push(`${req.method()} ${req.url()}: ${f ? f.errorText : 'failed'}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400 && !allowStatus(res)) w.badStatus.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('pageerror', (err) => { w.errors.push(`${page.url()}: ${err.message}`); });
  w.problems = () => [
    ...w.csp.map((s) => `CSP: ${s}`),
    ...w.failed.map((s) => `request failed: ${s}`),
    ...w.badStatus.map((s) => `HTTP error: ${s}`),
    ...w.errors.map((s) => `page error: ${s}`),
  ];
  w.reset = () => { for (const k of ['csp', 'failed', 'badStatus', 'errors']) w[k].length = 0; };
  return w;
}

function targetToString(t) {
  // Targets inside shadow DOM or iframes are arrays of selectors.
  return Array.isArray(t) ? t.map(targetToString).join(' >>> ') : String(t);
}

// One readable line (plus details) per violation: rule, impact, help, where.
function formatViolation(v) {
  const nodes = v.nodes || [];
  const shown = nodes.slice(0, 3).map((n) => {
    let s = targetToString(n.target);
    // Colour contrast: say which colours and what ratio, so the fix is obvious.
    const data = (n.any || []).concat(n.all || [], n.none || []).map((c) => c.data).find((d) => d && d.contrastRatio !== undefined);
    if (data) {
      s += ` (fg ${data.fgColor} on bg ${data.bgColor}, ratio ${data.contrastRatio}, needs ${data.expectedContrastRatio}` +
        `${data.fontSize ? `, ${data.fontSize} ${data.fontWeight}` : ''})`;
    }
    return s;
  });
  const more = nodes.length > 3 ? ` … and ${nodes.length - 3} more` : '';
  return `${v.id} [${v.impact}] ${v.help} (${v.helpUrl})\n    at ${shown.join('\n    at ')}${more}`;
}

function formatViolations(violations) {
  return violations.map(formatViolation);
}

// Run axe-core on the page (its context must bypass CSP, see newA11yContext). Returns the
// violations as readable strings, [] when there are none:
//   assert.deepStrictEqual(await checkA11y(page), [])
// opts: tags (default AXE_TAGS), include/exclude (axe context), disableRules (rule ids),
// raw: true to get axe's violation objects instead of strings.
async function checkA11y(page, opts = {}) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) {
    if (axeSource === null) axeSource = fs.readFileSync(AXE_SOURCE_PATH, 'utf8');
    await page.addScriptTag({ content: axeSource });
    const ok = await page.evaluate(() => typeof window.axe === 'object');
    if (!ok) throw new Error('axe-core could not be injected (does the context bypass CSP?)');
  }
  const context = opts.include || opts.exclude
    ? { ...(opts.include ? { include: opts.include } : {}), ...(opts.exclude ? { exclude: opts.exclude } : {}) }
    : null;
  const options = {
    runOnly: { type: 'tag', values: opts.tags || AXE_TAGS },
    resultTypes: ['violations'],
    rules: Object.fromEntries((opts.disableRules || []).map((id) => [id, { enabled: false }])),
  };
  const violations = await page.evaluate(
    ([ctx, o]) => window.axe.run(ctx || document, o).then((r) => r.violations),
    [context, options],
  );
  return opts.raw ? violations : formatViolations(violations);
}

// Assert that axe finds nothing; the message lists every violation.
async function assertAccessible(page, label = page.url(), opts = {}) {
  const found = await checkA11y(page, opts);
  if (found.length) {
    const err = new Error(`axe found ${found.length} violation(s) on ${label}:\n  ${found.join('\n  ')}`);
    err.violations = found;
    throw err;
  }
}

// A screenshot of the whole page at a given viewport width, into dir/name.png.
async function screenshot(page, dir, name, { width, height = 900, fullPage = true } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  if (width) await page.setViewportSize({ width, height });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}

module.exports = {
  CHROMIUM,
  CHROMIUM_ARGS,
  AXE_TAGS,
  launchBrowser,
  newA11yContext,
  newStrictContext,
  watchPage,
  checkA11y,
  assertAccessible,
  formatViolations,
  screenshot,
};

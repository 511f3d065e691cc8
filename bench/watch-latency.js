// Incremental rebuild latency: start site-gen --watch, edit one article at a time and time how
// long until its page on disk shows the edit. usage: node watch-latency.js SITE_GEN CONTENT OUT RUNS
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [siteGen, content, out, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  const proc = spawn(siteGen, ['--content', content, '--out', out, '--watch'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  proc.stdout.on('data', (d) => { text += d; });
  const waitFor = async (re, ms) => {
    const t0 = Date.now();
    while (!re.test(text)) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}: ${text}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await waitFor(/watching/, 120000);
  const measure = async (label, change) => {
  const wall = [], reported = [];
  for (let i = 0; i < runs; i++) {
    const rel = `en/cat${i % 20}/article-${String(1000 + i * 20 + (i % 20)).padStart(5, '0')}.md`;
    const file = path.join(content, rel);
    const m = rel.match(/cat(\d+)\/article-(\d+)/);
    const page = path.join(out, 'en', `cat${m[1]}`, `article-${m[2]}`, 'index.html');
    const marker = `Edited title ${label} ${i} ${Date.now()}`;
    text = '';
    const t0 = process.hrtime.bigint();
    fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8'), marker, i));
    while (!fs.readFileSync(page, 'utf8').includes(marker)) await new Promise((r) => setImmediate(r));
    wall.push(Number(process.hrtime.bigint() - t0) / 1e6);
    await waitFor(/rebuilt .* in ([\d.]+) ms/, 10000);
    reported.push(Number(text.match(/rebuilt .* in ([\d.]+) ms/)[1]));
    await new Promise((r) => setTimeout(r, 200));
  }
  console.log(`site-gen incremental rebuild after ${label}: median ${median(wall).toFixed(1)} ms from save to page on disk ` +
    `(${wall.map((x) => x.toFixed(0)).join(' ')}), median ${median(reported).toFixed(1)} ms inside site-gen`);
  };
  // A text edit (title and body) keeps the index; a tag edit re-indexes the whole site.
  await measure('a text edit', (s, marker) => s.replace(/^title:.*$/m, `title: ${marker}`).replace(/\n## /, `\n${marker}\n\n## `));
  await measure('a tag edit', (s, marker, i) => s.replace(/^title:.*$/m, `title: ${marker}`).replace(/^tags: \[/m, `tags: [edited${i}, `));
  proc.kill('SIGTERM');
}
main().catch((e) => { console.error(e); process.exit(1); });

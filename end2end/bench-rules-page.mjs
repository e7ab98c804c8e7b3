// The rules page with 10k rules, for scripts/bench.sh (not a test: node
// --test skips it by its name): how long the page takes to load and to
// go live, what the stream sends on connecting, and how long a search
// over every rule takes to show its one match.
//
// The floor is the least a page showing the same rules must do: the
// browser loading the text `nft list ruleset` prints, as one <pre>,
// from a server on loopback. The rules are those of the rules benchmark
// (one chain, `ip saddr A tcp dport P counter accept`), written by nft.
//
// Usage: node end2end/bench-rules-page.mjs LAB_NAME SUMMARY_FILE

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, sleep } from './harness.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'target/release/nfscope');
const RULES = 10_000;
const ROUNDS = 5;
const PATIENCE_MS = 60_000;
// Goals: the page live within a second, a search within half of one.
// The floor is far below what a table of rules with counters can be;
// the ratio says how far.
const GOAL = { liveMs: 1000, searchMs: 500 };

const [labName = 'nfs-t', summaryFile] = process.argv.slice(2);

function inNetns(ns, ...args) {
  return execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

function ruleset() {
  const lines = ['table inet bench {', '  chain input {', '    type filter hook input priority filter; policy accept;'];
  for (let i = 0; i < RULES; i++) {
    const a = Math.floor(i / 250) % 250;
    const b = (i % 250) + 1;
    lines.push(`    ip saddr 10.${a}.${b}.1 tcp dport ${1024 + (i % 60_000)} counter accept`);
  }
  return [...lines, '  }', '}', ''].join('\n');
}

/** `nfscope serve` watching `ns`, on a free loopback port. */
async function startServer(ns, stateDir) {
  const child = spawn(
    BIN,
    ['serve', '--netns', ns, '--listen', '127.0.0.1:0', '--no-history', '--state-dir', stateDir],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nfscope did not start:\n${log}`)), PATIENCE_MS);
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const url = /dashboard on (http:\/\/[^\s/]+)/.exec(log);
      if (url) {
        clearTimeout(timer);
        resolve(url[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nfscope exited with ${code}:\n${log}`));
    });
  });
  return {
    base,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await Promise.race([once(child, 'exit'), sleep(5000)]);
      }
    },
  };
}

/** A loopback server of one page: the ruleset's text in a <pre>. */
async function startFloor(text) {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const body = `<!doctype html><html><body><pre>${escaped}</pre></body></html>`;
  const server = createServer((_, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** ms from navigation to the load event. */
async function loadTime(page, url) {
  await page.goto(url, { waitUntil: 'load', timeout: PATIENCE_MS });
  return page.evaluate(() => Math.round(performance.getEntriesByType('navigation')[0].loadEventEnd));
}

/** Load and live times, the document's size and what the stream sent
 * in its first two seconds. */
async function openRules(chrome, base) {
  const page = await chrome.newPage({ viewport: { width: 1400, height: 900 } });
  let streamed = 0;
  page.on('websocket', (ws) => ws.on('framereceived', (f) => { streamed += f.payload?.length ?? 0; }));
  const start = Date.now();
  const load = await loadTime(page, `${base}/rules`);
  await page.locator('[data-testid=link][data-state=live]').waitFor({ timeout: PATIENCE_MS });
  const live = Date.now() - start;
  await sleep(2000);
  const html = await page.evaluate(() => performance.getEntriesByType('navigation')[0].decodedBodySize);
  return { page, load, live, html, streamed };
}

/** ms from typing a search to its one row being the only one shown. */
async function searchTime(page, port) {
  const start = Date.now();
  await page.fill('[data-testid=rule-search]', `dport ${port} `);
  await page.waitForFunction(
    () => document.querySelectorAll('tr.rule:not([hidden])').length === 1,
    null,
    { timeout: PATIENCE_MS, polling: 'raf' },
  );
  return Date.now() - start;
}

async function main() {
  const ns = `${labName}-rules`;
  const stateDir = mkdtempSync(join(tmpdir(), 'nfscope-bench-'));
  let server;
  let floor;
  let chrome;
  try {
    execFileSync('ip', ['netns', 'add', ns]);
    const file = join(stateDir, 'rules.nft');
    writeFileSync(file, ruleset());
    inNetns(ns, 'nft', '-f', file);
    floor = await startFloor(inNetns(ns, 'nft', 'list', 'ruleset'));
    server = await startServer(ns, stateDir);
    chrome = await launchBrowser();

    const floors = [];
    const opens = [];
    const searches = [];
    for (let round = 1; round <= ROUNDS; round++) {
      console.error(`rules page: round ${round} of ${ROUNDS}`);
      const bare = await chrome.newPage();
      floors.push(await loadTime(bare, floor.url));
      await bare.close();
      const open = await openRules(chrome, server.base);
      searches.push(await searchTime(open.page, 1024 + round * 1000));
      await open.page.close();
      opens.push(open);
    }

    const floorMs = median(floors);
    const load = median(opens.map((o) => o.load));
    const live = median(opens.map((o) => o.live));
    const search = median(searches);
    const html = opens[0].html;
    const streamed = median(opens.map((o) => o.streamed));
    const ratio = live / floorMs;
    console.log('| rules | floor load ms | page load ms | page live ms | live/floor | search ms | document B | stream B on connecting |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    console.log(`| ${RULES} | ${floorMs} | ${load} | ${live} | ${ratio.toFixed(2)}x | ${search} | ${html} | ${streamed} |`);
    if (summaryFile) {
      const met = (ok) => (ok ? 'met' : 'missed');
      appendFileSync(summaryFile, [
        `| rules page, ${RULES / 1000}k rules: loaded (median of ${ROUNDS}) | ${load} ms |  |`,
        `| rules page: live | ${live} ms | ≤ ${GOAL.liveMs} ms (${met(live <= GOAL.liveMs)}) |`,
        `| rules page: floor (the same text as one <pre>); live / floor | ${floorMs} ms; ${ratio.toFixed(2)}x |  |`,
        `| rules page: a search over every rule | ${search} ms | ≤ ${GOAL.searchMs} ms (${met(search <= GOAL.searchMs)}) |`,
        `| rules page: document / stream on connecting | ${(html / 1e6).toFixed(1)} MB / ${streamed} B |  |`,
      ].join('\n') + '\n');
    }
  } finally {
    await chrome?.close();
    await server?.stop();
    floor?.close();
    try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch {}
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();

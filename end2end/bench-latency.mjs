// Browser latency for scripts/bench.sh (not a test: node --test skips it
// by its name): time from a new flow to its row in the page, at a fixed
// rate of new flows.
//
// `nfscope demo` builds a lab and watches its router; udp-flood sends
// paced one-packet UDP flows from the client to the server, each to its
// own destination port, and logs when it sent each. The page, sorted
// youngest first, records when each row first appears; rows join flows on
// both ports, so a row left over from an earlier run never counts. Only
// the top rows are rendered, so at high rates most flows never show:
// latency is measured over the flows that do.
//
// Usage: node end2end/bench-latency.mjs LAB_NAME SUMMARY_FILE

import { execFile, execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { launchBrowser, sleep, startDemo } from './harness.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'target/release');
const CLIENT = '10.88.1.2';
const SERVER = '10.88.2.2';
const PATIENCE_MS = 20_000;
// Each phase has its own destination ports; its runs reuse them and are
// told apart by their source port. A 900 px page shows the youngest ~30 flows of each 100 ms publish: the
// ones that waited least for it. The last phase's tall page shows every
// flow of 1k/s, the latency of an average flow.
const PHASES = [
  { rate: 1000, secs: 3, firstPort: 20_000, height: 900 },
  { rate: 10_000, secs: 3, firstPort: 30_000, height: 900 },
  { rate: 1000, secs: 3, firstPort: 24_000, height: 4500 },
];
// The goal: p99 from a new flow to its row at 10k new flows/s.
const GOAL = { rate: 10_000, height: 900, p99: 250 };
// After the last send, rows may still be on their way.
const DRAIN_MS = 2000;
// Runs of each phase; the summary takes the median of their percentiles.
const RUNS = 3;

const [labName = 'nfs-t', summaryFile] = process.argv.slice(2);

// Runs in the page: notes when each row key first appears, with its
// original tuple. Every mutation rescans the few rendered rows, which also
// catches a row element reused for another flow.
function watchRows() {
  const table = document.querySelector('[role=table]');
  const tuple = /(\d+\.\d+\.\d+\.\d+):(\d+)\s*→\s*(\d+\.\d+\.\d+\.\d+):(\d+)/;
  const seen = new Map();
  window.__rows = seen;
  const scan = () => {
    const now = Date.now();
    for (const row of table.querySelectorAll('[role=row][data-key]')) {
      if (seen.has(row.dataset.key)) continue;
      for (const cell of row.querySelectorAll('[role=cell]')) {
        const m = tuple.exec(cell.textContent);
        if (m) {
          seen.set(row.dataset.key, { at: now, src: m[1], dst: m[3], ports: `${m[2]}:${m[4]}` });
          break;
        }
      }
    }
  };
  scan();
  new MutationObserver(scan).observe(table, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ['data-key'],
  });
}

// Runs in the page before its scripts: notes when each window of rows
// arrives from the stream, to split the latency into the server's part
// (flow → its window reaches the page) and the page's (window → row).
function hookStream() {
  const windows = [];
  window.__windows = windows;
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    get() { return onmessage.get.call(this); },
    set(handler) {
      onmessage.set.call(this, handler && ((ev) => {
        if (ev.data.startsWith('{"window"')) windows.push({ at: Date.now(), data: ev.data });
        handler(ev);
      }));
    },
  });
}

/** When each flow (`sport:dport`) first arrived in a window. */
function arrivals(windows) {
  const orig = new RegExp(`"src":"${CLIENT}","dst":"${SERVER}","sport":(\\d+),"dport":(\\d+)`, 'g');
  const arrived = new Map();
  for (const w of windows) {
    for (const [, sport, dport] of w.data.matchAll(orig)) {
      const ports = `${sport}:${dport}`;
      if (!arrived.has(ports)) arrived.set(ports, w.at);
    }
  }
  return arrived;
}

/** Sends a phase's flows; resolves to a map of `sport:dport` → send time (ms). */
async function sendFlows(client, { rate, secs, firstPort }) {
  const flows = rate * secs;
  const { stdout } = await promisify(execFile)(
    join(BIN, 'udp-flood'),
    ['--netns', client, '--dst', SERVER, '--flows', `${flows}`,
     '--first-port', `${firstPort}`, '--rate', `${rate}`],
    { maxBuffer: 64 << 20 },
  );
  const sent = new Map();
  for (const line of stdout.split('\n')) {
    const [sport, dport, ms] = line.split(' ');
    if (ms) sent.set(`${sport}:${dport}`, +ms);
  }
  return sent;
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

// Each run gets a new page, opened on an emptied table, so that rows of
// an earlier run do not crowd the top.
async function openPage(chrome, demo, height) {
  execFileSync('ip', ['netns', 'exec', demo.router, 'conntrack', '-F'], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    const { entries } = await (await fetch(`${demo.base}/api/status`)).json();
    if (entries < 100) break;
    if (i === 100) throw new Error(`the table still holds ${entries} flows after a flush`);
    await sleep(100);
  }
  const page = await chrome.newPage({ viewport: { width: 1400, height } });
  await page.addInitScript(hookStream);
  await page.goto(`${demo.base}/`);
  await page.locator('[data-testid=stream][data-state=live]')
    .waitFor({ state: 'attached', timeout: PATIENCE_MS });
  await page.evaluate(watchRows);
  return page;
}

async function measure(chrome, demo, phase, run) {
  console.error(`latency: ${phase.rate} flows/s on a ${phase.height} px page, run ${run}`);
  const page = await openPage(chrome, demo, phase.height);
  const sent = await sendFlows(demo.client, phase);
  const times = [...sent.values()];
  const sendingMs = Math.max(...times) - Math.min(...times);
  await sleep(DRAIN_MS);
  const rows = await page.evaluate(() => [...window.__rows.values()]);
  const arrived = arrivals(await page.evaluate(() => window.__windows));
  await page.close();
  const latencies = rows
    .filter((r) => r.src === CLIENT && r.dst === SERVER && sent.has(r.ports))
    .map((r) => r.at - sent.get(r.ports))
    .sort((a, b) => a - b);
  if (latencies.length === 0) throw new Error(`no flow of the ${phase.rate}/s phase was rendered`);
  const toPage = rows
    .filter((r) => sent.has(r.ports) && arrived.has(r.ports))
    .map((r) => arrived.get(r.ports) - sent.get(r.ports))
    .sort((a, b) => a - b);
  return {
    ...phase,
    run,
    achieved: Math.round((sent.size - 1) / (sendingMs / 1000)),
    sent: sent.size,
    shown: latencies.length,
    p50: Math.round(percentile(latencies, 50)),
    p99: Math.round(percentile(latencies, 99)),
    max: Math.round(latencies[latencies.length - 1]),
    toPage99: toPage.length ? Math.round(percentile(toPage, 99)) : NaN,
  };
}

async function main() {
  const demo = await startDemo(labName);
  let chrome;
  try {
    chrome = await launchBrowser();
    const phases = [];
    for (const phase of PHASES) {
      const runs = [];
      for (let run = 1; run <= RUNS; run++) runs.push(await measure(chrome, demo, phase, run));
      phases.push(runs);
    }

    console.log('| new flows/s | page px | run | sent at | sent | rows seen | p50 ms | p99 ms | max ms | p99 to page ms |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of phases.flat()) {
      console.log(
        `| ${r.rate} | ${r.height} | ${r.run} | ${r.achieved}/s | ${r.sent} | ${r.shown} | ${r.p50} | ${r.p99} | ${r.max} | ${r.toPage99} |`,
      );
    }
    if (summaryFile) {
      const lines = phases.flatMap((runs) => {
        const { rate, height } = runs[0];
        const label = `browser, ${rate / 1000}k new flows/s, ${height} px page`;
        const med = (f) => median(runs.map(f));
        // The median of the runs, and their range: at 10k/s they vary.
        const ms = (f) => {
          const all = runs.map(f);
          return `${median(all)} ms (${Math.min(...all)}–${Math.max(...all)})`;
        };
        const p99 = med((r) => r.p99);
        const goal = rate === GOAL.rate && height === GOAL.height
          ? `≤ ${GOAL.p99} ms (${p99 <= GOAL.p99 ? 'met' : 'missed'})`
          : '';
        return [
          `| ${label}: flow → row, p50 (median of ${runs.length} runs, range) | ${ms((r) => r.p50)} |  |`,
          `| ${label}: flow → row, p99 (median of ${runs.length} runs, range) | ${ms((r) => r.p99)} | ${goal} |`,
          `| ${label}: rows seen / flows sent (median) | ${med((r) => r.shown)} / ${runs[0].sent} |  |`,
        ];
      });
      appendFileSync(summaryFile, lines.join('\n') + '\n');
    }
  } finally {
    await chrome?.close();
    await demo.stop();
  }
}

await main();

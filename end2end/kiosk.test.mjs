// The kiosk on a wall screen: no controls, no scrollbars, it keeps
// updating by itself, and neither the browser nor the server grows while
// it does (a soak of bounded length, one reload a second).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';

import { demoSuite } from './suite.mjs';

const suite = demoSuite();

const RELOADS = 45;
/** Live JS heap of the kiosk page at most, and the server's growth. */
const HEAP_CEILING = 8 << 20;
const RSS_GROWTH_CEILING = 16 << 20;

function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

test('the kiosk has no controls, keeps updating and stays within its memory', async () => {
  const page = await suite.chrome.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(`${suite.demo.base}/kiosk?every=1`);
  await page.locator('[data-kiosk]').waitFor();

  const controls = await page
    .locator('a, button, input, select, textarea, [tabindex], [contenteditable]')
    .count();
  assert.equal(controls, 0, 'nothing to click or type into');
  const fits = await page.evaluate(() => {
    const el = document.scrollingElement;
    return el.scrollHeight <= innerHeight && el.scrollWidth <= innerWidth;
  });
  assert.ok(fits, 'no scrollbars');
  assert.equal(await page.locator('script').count(), 0, 'no script to run for days');
  mkdirSync('target/screenshots', { recursive: true });
  await page.screenshot({ path: 'target/screenshots/kiosk.png' });

  const rssBefore = rss(suite.demo.pid);
  const ticks = [];
  const panels = new Set();
  let heapMax = 0;
  for (let i = 0; i < RELOADS; i++) {
    await page.waitForEvent('load', { timeout: 5000 });
    const body = page.locator('[data-kiosk]');
    ticks.push(Number(await body.getAttribute('data-tick')));
    panels.add(await page.locator('[data-panel]').getAttribute('data-panel'));
    // What is live, not what the collector has yet to take back.
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
    heapMax = Math.max(heapMax, heap);
  }
  const rssGrowth = rss(suite.demo.pid) - rssBefore;

  assert.deepEqual(ticks, ticks.map((_, i) => ticks[0] + i), 'one reload after another');
  assert.equal(panels.size, 3, 'every list came round');
  assert.ok(heapMax <= HEAP_CEILING, `page heap ${heapMax} B`);
  assert.ok(rssGrowth <= RSS_GROWTH_CEILING, `server grew ${rssGrowth} B`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the kiosk refuses a malformed address plainly', async () => {
  for (const query of ['every=0', 'every=x', 'tick=-1']) {
    const res = await fetch(`${suite.demo.base}/kiosk?${query}`);
    assert.equal(res.status, 400, query);
    assert.match((await res.json()).error, /every|tick/);
  }
});

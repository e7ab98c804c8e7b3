// The rules page in a real browser against the real server watching the
// demo's router: the ruleset rendered on the server with its chain
// graph, counters that rise with the lab's traffic, the search, the
// iptables-save syntax, a rule's panel, and a commit's banner and diff.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { sleep } from './harness.mjs';
import { demoSuite } from './suite.mjs';

const suite = demoSuite();
const { openPage } = suite;

/** The row of the rule whose text has `text`. */
function row(page, text) {
  return page.locator('tr[data-rule]', { hasText: text });
}

/** Packets as the row shows them, `12k` read as 12000. */
async function packets(r) {
  const t = (await r.locator('[data-packets]').textContent()).trim();
  const scale = { k: 1e3, M: 1e6, G: 1e9 }[t.slice(-1)] ?? 1;
  return parseFloat(t) * scale;
}

test('the rules page shows the chain graph and a counter that rises with traffic', async () => {
  const { page, errors } = await openPage('/rules');
  const graph = page.locator('[data-table="table ip filter"] [data-testid=chain-graph]');
  await graph.waitFor();
  for (const chain of ['FORWARD', 'LAB-USER']) {
    assert.equal(await graph.locator(`[data-node="${chain}"]`).count(), 1, chain);
  }
  assert.equal(await graph.locator('path[marker-end]').count(), 1, 'FORWARD jumps to LAB-USER');

  // The lab's traffic goes through FORWARD's jump without pause.
  const jump = row(page, 'jump LAB-USER');
  await page.locator('[data-testid=stream][data-state=live]').waitFor({ state: 'attached' });
  const first = await packets(jump);
  let later = first;
  for (let i = 0; i < 50 && later <= first; i++) {
    await sleep(200);
    later = await packets(jump);
  }
  assert.ok(later > first, `the counter rose: ${first} → ${later}`);
  assert.deepEqual(errors, []);
});

test('the search hides the rules it does not find, and the URL keeps it', async () => {
  const { page, errors } = await openPage('/rules');
  await page.fill('[data-testid=rule-search]', 'masquerade');
  await page.waitForURL(/q=masquerade/);
  const shown = page.locator('tr[data-rule]:visible');
  assert.equal(await shown.count(), 1);
  assert.match(await shown.textContent(), /oifname "r1" counter masquerade/);

  // A fresh load of that URL is filtered on the server already.
  const html = await (await fetch(`${suite.demo.base}/rules?q=masquerade`)).text();
  assert.match(html, /<tr[^>]*data-search="[^"]*dnat[^"]*"[^>]*hidden/);
  assert.deepEqual(errors, []);
});

test('iptables-nft tables switch to iptables-save syntax', async () => {
  const { page, errors } = await openPage('/rules');
  const ret = row(page, 'return');
  assert.equal(await ret.locator('span:visible', { hasText: '-A LAB-USER -j RETURN' }).count(), 0);
  await page.check('[data-testid=syntax] input');
  await page.waitForURL(/syntax=iptables/);
  await ret.locator('span:visible', { hasText: '-A LAB-USER -j RETURN' }).waitFor();
  // A native nft table keeps its nft text.
  await row(page, 'masquerade').locator('span:visible', { hasText: 'masquerade' }).first().waitFor();
  assert.deepEqual(errors, []);
});

test('a rule opens its panel with its expressions, and a commit its diff', async () => {
  const { page, errors } = await openPage('/rules');
  await page.locator('[data-testid=stream][data-state=live]').waitFor({ state: 'attached' });
  await row(page, 'jump LAB-USER').locator('[data-testid=rule-text]').click();
  await page.waitForURL(/rule=ip\/filter\/FORWARD\/\d+/);
  const panel = page.locator('[data-testid=panel]');
  await panel.locator('[data-testid=raw] li', { hasText: '[expr immediate' }).waitFor();
  assert.match(await panel.textContent(), /-A FORWARD -j LAB-USER/);

  execFileSync('ip', [
    'netns', 'exec', suite.demo.router,
    'nft', 'add rule inet nfscope_lab published udp dport 9 counter accept',
  ]);
  const banner = page.locator('[data-testid=change-banner]');
  await banner.waitFor();
  assert.match(await banner.textContent(), /generation \d+ by nft, pid \d+: 1 rule added to inet nfscope_lab published/);
  await banner.locator('a', { hasText: 'Show the diff' }).click();
  await page.waitForURL(/diff=\d+/);
  await panel.locator('[data-testid=diff] li', { hasText: '+ udp dport 9 counter accept' }).waitFor();
  // The new rule is in the document without a reload.
  await row(page, 'udp dport 9 counter accept').waitFor();
  assert.deepEqual(errors, []);
});

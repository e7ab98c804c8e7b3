// The seed story in the browser: the docker-bridge scenario starts
// broken, the findings page names the double tracking through br-lan137
// with its evidence, an evidence link opens the flow, the flows page
// marks the flows it names and their panel lists it, and the page's
// repair button applies the NOTRACK fix, after which the finding clears.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { demoSuite } from './suite.mjs';
import { sleep } from './harness.mjs';

const suite = demoSuite(['--scenario', 'docker-bridge', '--capture-invalid']);
const FINDING = 'double-tracking:br-lan137';

/** Reloads `/findings` until `selector` shows, at most `ms`. */
async function findingsUntil(page, selector, ms) {
  const end = Date.now() + ms;
  for (;;) {
    await page.goto(`${suite.demo.base}/findings`);
    if ((await page.locator(selector).count()) > 0) return;
    assert.ok(Date.now() < end, `timed out waiting for ${selector}`);
    await sleep(1000);
  }
}

test('the findings page shows the seed bug, its evidence opens the flow, and its fix clears it', async () => {
  const page = await suite.chrome.newPage();
  await findingsUntil(page, `[data-finding="${FINDING}"]`, 20_000);
  const finding = page.locator(`[data-finding="${FINDING}"]`);
  assert.match(await finding.innerText(), /iptables -t raw -I PREROUTING 1 -i br-lan137 -j NOTRACK/);
  assert.match(await finding.innerText(), /INVALID tcp SYN,ACK/);

  const link = finding.locator('a[href^="/flow/"]').first();
  const href = await link.getAttribute('href');
  await link.click();
  await page.waitForURL((url) => url.pathname === href);
  await page.getByText('DNAT', { exact: false }).first().waitFor();

  // On the flows page the flows it names are marked, and the panel of
  // one lists the finding.
  await page.goto(`${suite.demo.base}/`);
  const marked = page.locator('[role="row"][data-finding]').first();
  await marked.waitFor({ timeout: 20_000 });
  await marked.click({ position: { x: 4, y: 12 } });
  const sections = page.locator('aside [data-testid="flow-sections"]');
  await sections.locator(`[data-flow-findings] a[href="/findings#${FINDING}"]`).waitFor({ timeout: 10_000 });

  await page.goto(`${suite.demo.base}/findings`);
  await page.getByRole('button', { name: /NOTRACK/ }).click();
  await page.waitForURL(/\/findings$/);
  await findingsUntil(page, `[data-cleared="${FINDING}"]`, 90_000);
  assert.equal(await page.locator(`[data-finding="${FINDING}"]`).count(), 0);
  await page.close();
});

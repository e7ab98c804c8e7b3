// The flows page in a real browser against the real server watching a
// real namespace: server-side render, hydration, live rows, URL state.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { udpFrom } from './harness.mjs';
import { demoSuite } from './suite.mjs';

const SERVER = '10.88.2.2';
const suite = demoSuite();
const { openPage } = suite;

test('the page is rendered on the server with flow rows', async () => {
  const html = await (await fetch(`${suite.demo.base}/`)).text();
  assert.match(html, /role="table"/);
  assert.match(html, /role="row" data-key="[0-9a-f]{8}-\d+-\d+-[0-9a-f]{8}-\d+"/);
  assert.match(html, /\/pkg\/nfscope\.js/);
});

test('hydrates and shows a flow created after load, without reload', async () => {
  const { page, errors } = await openPage('/');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const cell = page.getByText(`${SERVER}:${port}`, { exact: true });
  assert.equal(await cell.count(), 0);
  udpFrom(suite.demo.client, SERVER, port);
  await cell.first().waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  mkdirSync('target/screenshots', { recursive: true });
  await page.screenshot({ path: 'target/screenshots/flows.png' });
  await page.close();
});

test('the page hydrates and streams under its Content-Security-Policy', async () => {
  const page = await suite.chrome.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const response = await page.goto(`${suite.demo.base}/`);
  const policy = response.headers()['content-security-policy'];
  assert.match(policy, /script-src 'nonce-[^']+' 'wasm-unsafe-eval'/);
  // "live" is set by the wasm once its WebSocket delivered a window.
  await page.locator('[data-testid=link][data-state=live]').waitFor();
  const port = 20000 + Math.floor(Math.random() * 20000);
  udpFrom(suite.demo.client, SERVER, port);
  await page.getByText(`${SERVER}:${port}`, { exact: true }).first()
    .waitFor({ timeout: 10_000 });
  violations.push(...(await page.evaluate(() => window.__violations)));
  assert.deepEqual(violations, []);
  await page.close();
});

test('a URL with ?q= reopens the filtered view', async () => {
  const { page } = await openPage('/?q=proto:udp+dport:5300&sort=-bytes');
  assert.equal(await page.getByLabel('Filter').inputValue(), 'proto:udp dport:5300');
  await page.locator('[role=table] [data-key]').first().waitFor();
  const protos = await page.locator('[role=table] [data-key] [role=cell]:first-child').allTextContents();
  assert.ok(protos.length > 0);
  assert.ok(protos.every((p) => p.trim() === 'udp'), protos.join(','));
  const sorted = page.getByRole('columnheader', { name: /Bytes/ });
  assert.equal(await sorted.getAttribute('aria-sort'), 'descending');
  await page.close();
});

const BAD_FILTERS = [
  { q: 'proto:tcp+dport:99999', says: /bad port "99999"/ },
  {
    q: 'proto:tcp+state:establishd',
    says: /unknown state "establishd"; did you mean "established"\?$/,
  },
];

for (const { q, says } of BAD_FILTERS) {
  test(`a bad filter shows the same message as the API: ${q}`, async () => {
    const api = await fetch(`${suite.demo.base}/api/flows?q=${q}`);
    assert.equal(api.status, 400);
    const { error, position } = await api.json();
    assert.equal(position, 16);
    assert.match(error, says);
    const { page } = await openPage(`/?q=${q}`);
    const shown = await page.getByTestId('filter-error').textContent();
    assert.equal(shown.trim(), error);
    // The header stays live; the table says why it does not follow.
    const stream = page.locator('[data-testid=stream][data-state=down]');
    assert.equal((await stream.textContent()).trim(), 'paused: invalid filter');
    await page.close();
  });
}

test('clicking a cell adds it to the filter and the URL', async () => {
  const { page } = await openPage('/');
  await page.locator('[role=table] [data-key] [role=cell]:first-child button').first().click();
  await page.waitForURL(/q=proto(:|%3A)/);
  assert.match(await page.getByLabel('Filter').inputValue(), /^proto:\w+$/);
  await page.close();
});

test('an unknown page is a 404 with a way back', async () => {
  const res = await fetch(`${suite.demo.base}/no/such/page`);
  assert.equal(res.status, 404);
  assert.match(await res.text(), /Page not found/);
});

test('a long table scrolls to its end with only a screenful of rows in the page', async () => {
  const [first, count] = [3000, 300];
  execFileSync('ip', [
    'netns', 'exec', suite.demo.router, 'bash', '-c',
    `for p in $(seq ${first} ${first + count - 1}); do
       conntrack -I -p udp -s 10.9.0.1 -d 10.9.0.2 --sport $p --dport 53 -t 300
     done >/dev/null 2>&1`,
  ]);
  const { page, errors } = await openPage('/?q=dport:53&sort=sport');
  await page.getByTestId('flow-count').filter({ hasText: `${count} flows` }).waitFor();
  await page.locator('[role=table]').evaluate((t) => { t.scrollTop = t.scrollHeight; });
  const last = `10.9.0.1:${first + count - 1}`;
  await page.getByText(last, { exact: true }).first().waitFor({ timeout: 10_000 });
  const rows = await page.locator('[role=table] [data-key]').count();
  assert.ok(rows < 60, `${rows} rows in the page`);
  assert.deepEqual(errors, []);
  await page.close();
});

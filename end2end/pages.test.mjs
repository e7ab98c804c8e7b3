// The frame around the pages and the flow's own page, in a real browser
// against the real server: `/flow/{key}` rendered on the server, kept
// live, reached from the flows panel, and from the history once the flow
// has ended, with its NAT path and timeline; the header live on every
// page; the navigation; the 404 of a bad key.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { conntrack, sleep } from './harness.mjs';
import { demoSuite } from './suite.mjs';

// A flow of our own in the router's table, which the tests change and
// delete; no traffic of the lab looks like it.
const [SRC, DST, DPORT] = ['10.9.1.1', '10.9.1.2', 53];
const suite = demoSuite();
const { openPage } = suite;

/** Inserts a UDP flow from `sport` and returns its key once nfscope has it. */
async function insertFlow(sport) {
  conntrack(suite.demo.router, '-I', ...flowArgs(sport), '-t', '300');
  const q = encodeURIComponent(`src:${SRC} sport:${sport}`);
  for (let i = 0; i < 100; i++) {
    const { flows } = await (await fetch(`${suite.demo.base}/api/flows?q=${q}`)).json();
    if (flows.length === 1) return flows[0].key;
    await sleep(100);
  }
  throw new Error(`flow from port ${sport} never reached the table`);
}

function flowArgs(sport) {
  return ['-p', 'udp', '-s', SRC, '-d', DST, '--sport', `${sport}`, '--dport', `${DPORT}`];
}

/** The value of one field of the flow's details (`<dt>name</dt><dd>…`). */
function field(page, name) {
  return page.locator(`dt:text-is("${name}") + dd`);
}

test('a flow page is rendered on the server with both tuples', async () => {
  const key = await insertFlow(4101);
  const res = await fetch(`${suite.demo.base}/flow/${key}`);
  assert.equal(res.status, 200);
  const html = await res.text();
  assert.ok(html.includes(key), 'the key is on the page');
  assert.match(html, /<th[^>]*>Original<\/th>\s*<th[^>]*>Reply<\/th>/);
  // Original src → dst, and the reply coming back from dst.
  assert.match(html, new RegExp(`<td[^>]*>${SRC}</td><td[^>]*>${DST}</td>`));
  assert.match(html, new RegExp(`<td[^>]*>${DST}</td><td[^>]*>${SRC}</td>`));
  conntrack(suite.demo.router, '-D', ...flowArgs(4101));
});

test('a flow page hydrates, has a live header and follows its flow until it ends', async () => {
  const key = await insertFlow(4102);
  const { page, errors } = await openPage(`/flow/${key}`);
  await page.locator('[data-testid=stream][data-state=live]').waitFor({ state: 'attached' });
  assert.equal((await field(page, 'Mark').textContent()).trim(), '0x0 (0)');
  // Nothing is current in the navigation: a flow's page is not in it.
  assert.equal(await page.locator('nav [aria-current=page]').count(), 0);

  conntrack(suite.demo.router, '-U', ...flowArgs(4102), '-m', '42');
  await field(page, 'Mark').filter({ hasText: '0x2a (42)' }).waitFor({ timeout: 5000 });
  const timeout = field(page, 'Timeout');
  const before = await timeout.textContent();
  await page.waitForFunction(
    ([el, text]) => el.textContent !== text,
    [await timeout.elementHandle(), before],
    { timeout: 3000 },
  );
  mkdirSync('target/screenshots', { recursive: true });
  await page.screenshot({ path: 'target/screenshots/flow.png', fullPage: true });

  conntrack(suite.demo.router, '-D', ...flowArgs(4102));
  await page.getByText('This flow has ended').waitFor({ timeout: 5000 });
  assert.equal((await field(page, 'Mark').textContent()).trim(), '0x2a (42)',
    'the last known state stays');
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page of an ended flow comes from the history, with its timeline', async () => {
  const key = await insertFlow(4103);
  conntrack(suite.demo.router, '-D', ...flowArgs(4103));
  // Between its end in the table and the writer's next transaction the flow
  // is briefly in neither, so a 404 here means "ask again".
  let res;
  for (let i = 0; i < 100; i++) {
    const reply = await fetch(`${suite.demo.base}/api/flows/${key}`);
    res = reply.ok ? await reply.json() : undefined;
    if (res?.timeline.some((m) => m.kind === 'end')) break;
    await sleep(100);
  }
  assert.ok(res, 'the history has the ended flow');
  assert.equal(res.live, false);
  const { page, errors } = await openPage(`/flow/${key}`);
  await page.getByText('This flow has ended').waitFor({ timeout: 5000 });
  assert.deepEqual(
    await page.locator('[data-timeline] [data-moment]').evaluateAll(
      (els) => els.map((el) => el.dataset.moment)),
    ['new', 'end'],
  );
  assert.deepEqual(errors, []);
  await page.close();

  // A key nobody has seen: the flow was never in the table nor the history.
  const unknown = key.replace(/-(\d+)$/, (_, start) => `-${BigInt(start) + 1n}`);
  const missing = await fetch(`${suite.demo.base}/flow/${unknown}`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /not in the live table/);
});

test('the page of a NAT flow draws its path with the rewritten parts marked', async () => {
  const q = encodeURIComponent('nat:dnat');
  let flow;
  for (let i = 0; i < 100 && !flow; i++) {
    [flow] = (await (await fetch(`${suite.demo.base}/api/flows?q=${q}&limit=1`)).json()).flows;
    if (!flow) await sleep(100);
  }
  assert.ok(flow, 'the lab makes DNAT flows');
  // Short-lived: its page may come from the history, once that has it.
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${suite.demo.base}/api/flows/${flow.key}`);
    if (res.ok && (await res.json()).timeline.length > 0) break;
    await sleep(100);
  }
  const { page, errors } = await openPage(`/flow/${flow.key}`);
  const path = page.locator('[data-path]');
  await path.waitFor();
  assert.match(await path.locator('[data-nat]').textContent(), /DNAT/);
  const src = flow.reply.src.includes(':') ? `[${flow.reply.src}]` : flow.reply.src;
  const server = await path.locator('[data-rewritten]').last().textContent();
  assert.ok(server.includes(`${src}:${flow.reply.sport}`), server);
  assert.ok(await page.locator('[data-timeline] [data-moment]').count() >= 1);
  mkdirSync('target/screenshots', { recursive: true });
  await page.screenshot({ path: 'target/screenshots/flow-path.png', fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad key is the 404 page, with a live header', async () => {
  const res = await fetch(`${suite.demo.base}/flow/12-x`);
  assert.equal(res.status, 404);
  assert.match(await res.text(), /Page not found/);
  const { page, errors } = await openPage('/flow/12-x');
  const why = await page.getByTestId('not-found').textContent();
  assert.match(why, /no such flow: flow key "12-x" must look like BOOT-NETNS-ID-TUPLE-START/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the status stream sends the status at once, then on changes and every second', async () => {
  const { page } = await openPage('/flow/12-x');
  const got = await page.evaluate(() => new Promise((resolve) => {
    const t0 = Date.now();
    const messages = [];
    const ws = new WebSocket(`ws://${location.host}/api/ws/status`);
    ws.onmessage = (m) => messages.push({ at: Date.now() - t0, msg: JSON.parse(m.data) });
    setTimeout(() => { ws.close(); resolve(messages); }, 2500);
  }));
  assert.ok(got.length >= 3, `${got.length} messages in 2.5 s`);
  assert.ok(got.length <= 26, `${got.length} messages in 2.5 s`);
  assert.ok(got[0].at < 1000, `the first came after ${got[0].at} ms`);
  for (const { msg } of got) {
    assert.deepEqual(Object.keys(msg), ['status']);
    assert.equal(typeof msg.status.entries, 'number');
  }
  for (let i = 1; i < got.length; i++) {
    assert.ok(got[i].at - got[i - 1].at < 1500, 'a heartbeat at least every second');
  }
  await page.close();
});

test('the flows panel links to the flow page, and back', async () => {
  const key = await insertFlow(4104);
  const { page, errors } = await openPage(`/?open=${key}`);
  const current = page.locator('nav [aria-current=page]');
  assert.equal((await current.textContent()).trim(), 'Flows');
  await page.getByRole('complementary', { name: 'Flow details' })
    .getByRole('link', { name: 'Open on its own page' }).click();
  await page.waitForURL(`${suite.demo.base}/flow/${key}`);
  await page.locator('[data-testid=link][data-state=live]').waitFor();
  await page.getByRole('heading', { name: 'Flow', exact: true }).waitFor();
  assert.equal((await field(page, 'Protocol').textContent()).trim(), 'udp');

  await page.getByRole('link', { name: 'Show in the flows table' }).click();
  await page.waitForURL(`${suite.demo.base}/?open=${key}`);
  await page.getByRole('complementary', { name: 'Flow details' }).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
  conntrack(suite.demo.router, '-D', ...flowArgs(4104));
});

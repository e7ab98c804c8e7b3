// Starts `nfscope demo` (a lab of nfs-t-* namespaces with the real server
// watching its router) and Debian's Chromium driven by playwright-core.

import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'target/release/nfscope');
const PATIENCE_MS = 20_000;

/** Namespaces of every scenario's lab, for the cleanup. */
const HOSTS = ['cli', 'rtr', 'srv', 'host', 'back', 'ctr'];

/** `extra`: more arguments, `--scenario docker-bridge` say. */
export async function startDemo(labName = 'nfs-t', extra = []) {
  const child = spawn(
    BIN,
    // Counters refresh once an hour: within a test only live events
    // change the table, so a test of them fails when they stop.
    ['demo', '--lab-name', labName, '--listen', '127.0.0.1:0', '--ct-refresh', '3600', ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, RUST_LOG: 'info', NO_COLOR: '1' } },
  );
  let log = '';
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nfscope demo did not start:\n${log}`)),
      PATIENCE_MS,
    );
    child.stderr.on('data', (chunk) => {
      log += chunk;
      const lab = / lab (\S+) is up/.exec(log);
      const url = /dashboard on (http:\/\/[^\s/]+)/.exec(log);
      if (lab && url) {
        clearTimeout(timer);
        resolve({ lab: lab[1], base: url[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nfscope demo exited with ${code}:\n${log}`));
    });
  });
  const { lab, base } = await ready;
  return {
    base,
    lab,
    pid: child.pid,
    client: `${lab}-cli`,
    router: `${lab}-rtr`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGINT');
        await Promise.race([once(child, 'exit'), sleep(5000)]);
      }
      // A demo that died uncleanly must not leave namespaces behind.
      for (const host of HOSTS) {
        try {
          execFileSync('ip', ['netns', 'del', `${lab}-${host}`], { stdio: 'ignore' });
        } catch {}
      }
    },
  };
}

/** Waits until the demo's table is in and holds flows. */
export async function waitForFlows(base) {
  for (let i = 0; i < 100; i++) {
    const status = await (await fetch(`${base}/api/status`)).json();
    if (status.synced && status.entries > 0) return;
    await sleep(100);
  }
  throw new Error('the demo lab made no flows');
}

/**
 * Opens `path` in a new tab and waits for the header to go live; the
 * errors the page throws are collected in `errors`.
 */
export async function openPage(chrome, base, path) {
  const page = await chrome.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(`${base}${path}`);
  await page.locator('[data-testid=link][data-state=live]').waitFor();
  return { page, errors };
}

/** Runs `conntrack ARGS...` inside namespace `ns`. */
export function conntrack(ns, ...args) {
  execFileSync('ip', ['netns', 'exec', ns, 'conntrack', ...args], { stdio: 'ignore' });
}

/** Sends one UDP datagram from inside namespace `ns`. */
export function udpFrom(ns, host, port) {
  execFileSync('ip', [
    'netns', 'exec', ns, 'bash', '-c',
    `exec 3<>/dev/udp/${host}/${port}; echo hi >&3`,
  ]);
}

/** Debian's Chromium; playwright-core gives it a fresh profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
    ],
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

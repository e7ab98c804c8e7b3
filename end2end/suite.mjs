// What every browser test file shares: a demo lab with nfscope watching
// it and a browser, up before the file's first test and gone after its
// last. Separate from harness.mjs, which scripts outside the test runner
// use too.

import { before, after } from 'node:test';
import { launchBrowser, openPage, startDemo, waitForFlows } from './harness.mjs';

/**
 * Registers the file's `before` and `after`; the returned object holds
 * `demo` once the lab is up, and `openPage(path)` opens a tab on it.
 * `extra` goes to `nfscope demo` (`--scenario NAME`, say).
 */
export function demoSuite(extra = []) {
  const suite = {
    demo: null,
    chrome: null,
    openPage: (path) => openPage(suite.chrome, suite.demo.base, path),
  };
  before(async () => {
    suite.demo = await startDemo('nfs-t', extra);
    suite.chrome = await launchBrowser();
    // The lab's traffic makes flows within a second or two.
    await waitForFlows(suite.demo.base);
  });
  after(async () => {
    await suite.chrome?.close();
    await suite.demo?.stop();
  });
  return suite;
}

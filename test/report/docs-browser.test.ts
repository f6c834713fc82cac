// The inventory page opened in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the
// diagram's systems, tables and links are on screen, and the page asks the network for nothing.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { browserAvailable, launchBrowser } from '../helpers/browser.ts';
import { docsMapDir } from './docs-fixture.ts';

const haveChromium = browserAvailable('the inventory page in a browser');

let browser: Browser;
let dir: string;
let page: string;

beforeAll(async () => {
  if (!haveChromium) return;
  let datamap: string;
  ({ dir, datamap } = docsMapDir());
  const out = path.join(dir, 'inventory');
  expect(await main(['--datamap', datamap, '--log-level', 'silent', 'datamap', 'docs', '--out', out], { stdout: () => {} })).toBe(0);
  page = pathToFileURL(path.join(out, 'index.html')).href;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveChromium)('the inventory page in a browser', () => {
  test("shows every system and table of the diagram, inside the diagram's area, and every link", async () => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await tab.goto(page);
    const diagram = tab.locator('svg.diagram');
    await expect(diagram.isVisible()).resolves.toBe(true);
    const area = (await diagram.boundingBox())!;

    const tables = ['app.addresses', 'app.orders', 'app.users', 'billing.invoices', 'mailchimp.members'];
    expect(await tab.locator('svg.diagram [data-table]').evaluateAll((els) => els.map((e) => e.getAttribute('data-table')).sort())).toEqual(tables);
    for (const id of tables) {
      const node = tab.locator(`svg.diagram [data-table="${id}"]`);
      expect(await node.isVisible(), id).toBe(true);
      const box = (await node.boundingBox())!;
      expect(box.width * box.height, id).toBeGreaterThan(1000);
      expect(box.x >= area.x && box.y >= area.y && box.x + box.width <= area.x + area.width + 0.5 && box.y + box.height <= area.y + area.height + 0.5, id).toBe(true);
      await expect(node.textContent()).resolves.toContain(id.split('.')[1]);
    }
    for (const system of ['app', 'billing', 'mailchimp']) expect(await tab.locator(`svg.diagram [data-system="${system}"]`).isVisible(), system).toBe(true);

    const links = await tab.locator('svg.diagram g.link').evaluateAll((els) =>
      // Runs in the page (this project's tsconfig has no DOM library, hence the window lookup).
      els.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to'), e.classList.contains('owns'), (globalThis as any).getComputedStyle(e.querySelector('path')).strokeDasharray]),
    );
    expect(links).toEqual([
      ['app.orders', 'app.users', false, 'none'],
      ['app.orders', 'app.addresses', true, '6px, 4px'],
      ['billing.invoices', 'app.users', false, 'none'],
    ]);
    await tab.close();
  });

  test('tables do not overlap each other', async () => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await tab.goto(page);
    const boxes = await tab
      .locator('svg.diagram [data-table] rect')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().toJSON() as { left: number; right: number; top: number; bottom: number }));
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        expect(overlap).toBe(false);
      }
    await tab.close();
  });

  test('opens with no network: the only request is the page itself', async () => {
    const tab = await browser.newPage();
    const requests: string[] = [];
    tab.on('request', (r) => requests.push(r.url()));
    await tab.goto(page, { waitUntil: 'load' });
    expect(requests).toEqual([page]);
    await tab.close();
  });
});

// Opens Scenario Lab's HTML reports in Debian's Chromium with every network request refused:
// the page must render its summary and its recipe graphs from the file alone. Started by
// tests/tests/html_report.rs with REPORTS (a `;`-separated list of files) and SHOTS.
import { launch } from './chromium.mjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const reports = process.env.REPORTS.split(';');
const shots = process.env.SHOTS;
fs.mkdirSync(shots, { recursive: true });
const browser = await launch();
try {
  for (const report of reports) {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const requested = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      requested.push(url);
      return route.abort();
    });
    await page.goto(`file://${report}`);
    const verdict = await page.textContent('.verdict');
    assert.match(verdict, /(preflight|validate) (passed|failed)/);
    const graphs = await page.$$('svg.graph');
    assert.ok(graphs.length >= 3, `${report}: ${graphs.length} graphs`);
    for (const graph of graphs) {
      const box = await graph.boundingBox();
      assert.ok(box && box.width > 50 && box.height > 20, `a graph is drawn: ${JSON.stringify(box)}`);
      assert.ok((await graph.$$('g.node')).length > 0, 'with nodes');
    }
    assert.deepEqual(requested, [], 'no network access');
    await page.screenshot({ path: path.join(shots, `${path.basename(report)}.png`), fullPage: true });
    console.log(`ok ${report}: "${verdict.trim()}", ${graphs.length} graphs`);
    await page.close();
  }
} finally {
  await browser.close();
}

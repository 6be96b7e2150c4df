// Benchmark of @scenario-lab/codemirror in a fresh Vite app (tests/src/bin/codemirror_bench.rs
// builds and serves it at APP_URL): keystroke to painted character on a 1 MB recipe, the README's
// snippet against the bare editor (basicSetup and JSON), and keystroke to painted diagnostics
// with the extension. Writes OUT.
import { env, launch, stats, timeKeystrokes } from './chromium.mjs';
import fs from 'node:fs';

const keys = Number(process.env.KEYS ?? 40);
const browser = await launch();
const results = { chromium: browser.version(), keystrokes: keys };
try {
  for (const [label, query] of [['bare', '0'], ['extension', '1']]) {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => console.error(`page error: ${e}`));
    await page.goto(`${env('APP_URL')}bench.html?extension=${query}`);
    await page.waitForFunction(() => globalThis.view?.state.doc.length > 1_000_000, null, { timeout: 60000 });
    if (query === '1') await page.waitForSelector('.cm-lintRange', { state: 'attached', timeout: 60000 }).catch(() => {});
    const text = await page.evaluate(() => globalThis.view.state.doc.toString());
    const caret = text.indexOf('"_ref": "org"') + '"_ref": "org'.length;
    await page.evaluate((at) => {
      globalThis.view.focus();
      globalThis.view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    }, caret);
    await page.waitForTimeout(500);
    const { char, diagnostics } = await timeKeystrokes(page, keys, { diagnostics: query === '1' });
    results[label] = { bytes: text.length, charPainted: stats(char), ...(diagnostics.length ? { diagnosticsPainted: stats(diagnostics) } : {}) };
    console.log(`${label}: ${JSON.stringify(results[label])}`);
    await page.close();
  }
} finally {
  await browser.close();
}
fs.writeFileSync(env('OUT'), JSON.stringify(results, null, 2) + '\n');

// End-to-end test of the editor's Packs panel in Debian's Chromium (playwright-core). Started by
// tests/tests/packs_editor.rs, which runs `scenario-lab demo` with the ANIP credentials in its
// environment and a real ANIP service, and passes: EDITOR_URL, PARITY_URLS (two services whose
// manifests differ), SHOTS.
import { env, launch } from './chromium.mjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const shots = env('SHOTS');
fs.mkdirSync(shots, { recursive: true });
const browser = await launch();
const failures = [];
const step = (name) => console.log(`# ${name}`);
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('pageerror', (e) => failures.push(`page error: ${e}`));
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  await page.goto(env('EDITOR_URL'));
  await page.click('button.tab[data-tab="Packs"]');

  step('the workspace pack opens with its offline check');
  await page.waitForSelector('button.pack[data-pack="starter.pack.yaml"]');
  const area = page.locator('textarea.pack-text');
  await area.waitFor();
  assert.match(await page.locator('.pack-findings p').innerText(), /0 error\(s\)/);

  step('a typo is an error as it is typed, on its exact place');
  const text = await area.inputValue();
  await area.fill(text.replace('prior:\n  - fixture_reset_tenant-stop', 'prior:\n  - fixture_reset_tenant-stpo'));
  const unknown = page.locator('ul.findings li[data-code="pack/unknown-prior"]');
  await unknown.waitFor();
  assert.match(await unknown.innerText(), /no scenario has the id `fixture_reset_tenant-stpo`/);
  assert.ok(await page.locator('button[data-action="run-pack"]').isDisabled(), 'a pack with errors does not run');
  await shot('packs-01-error');
  await area.fill(text);
  await page.waitForFunction(() => !document.querySelector('ul.findings li[data-code="pack/unknown-prior"]'));

  step('the pack runs through the proxy: verdicts and approval chains');
  await page.click('button[data-action="run-pack"]');
  const summary = page.locator('[data-run-summary]');
  await summary.waitFor({ timeout: 60000 });
  assert.match(await summary.innerText(), /^\d+ passed, 0 failed, 0 skipped$/);
  const chain = page.locator('.approval-chain[data-chain="fixture.reset_tenant"]');
  await chain.waitFor();
  const steps = await chain.innerText();
  for (const expected of ['invoke → request', 'grant', 'continuation', 'reuse', 'parameter drift', 'forged grant', 'race']) {
    assert.ok(steps.includes(expected), `${expected} in the chain: ${steps}`);
  }
  assert.equal(await page.locator('.approval-chain .chain-step.fail').count(), 0);
  await shot('packs-02-run');

  step('one scenario runs with what it needs');
  await page.click('tr[data-scenario="fixture_reset_tenant-replay"] button');
  await page.waitForFunction(() => /^4 passed/.test(document.querySelector('[data-run-summary]')?.textContent ?? ''), null, { timeout: 60000 });

  step('parity names the drifting field');
  await page.fill('input.parity-urls', env('PARITY_URLS'));
  await page.click('button[data-action="parity"]');
  const table = page.locator('table.parity-differences');
  await table.waitFor({ timeout: 30000 });
  const differences = await table.innerText();
  assert.ok(differences.includes('fixture.reset_tenant') && differences.includes('minimum_scope'), differences);
  await shot('packs-03-parity');
} catch (error) {
  failures.push(String(error?.stack ?? error));
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('packs e2e: ok');

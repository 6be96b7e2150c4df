// The first run of the README's first command, in Debian's Chromium (playwright-core): the
// demo's Packs tab opens on the pack the demo wrote for its own ANIP service, and it runs and
// passes with no credential set anywhere but the demo. Started by tests/tests/packs_editor.rs with
// EDITOR_URL and SHOTS.
import { env, browserTest } from './chromium.mjs';
import assert from 'node:assert/strict';

await browserTest('demo packs e2e', async (page, shot) => {
  await page.goto(env('EDITOR_URL'));
  await page.click('button.tab[data-tab="Packs"]');
  await page.waitForSelector('button.pack[data-pack="starter.pack.yaml"].active');
  await page.waitForFunction(() => /0 error\(s\)/.test(document.querySelector('.pack-findings p')?.textContent ?? ''));
  await page.click('button[data-action="run-pack"]');
  const summary = page.locator('[data-run-summary]');
  await summary.waitFor({ timeout: 60000 });
  assert.match(await summary.innerText(), /^19 passed, 0 failed, 0 skipped$/);
  await shot('demo-packs');
});

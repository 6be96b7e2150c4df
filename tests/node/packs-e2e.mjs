// End-to-end test of the editor's Packs panel in Debian's Chromium (playwright-core). Started by
// tests/tests/packs_editor.rs, which runs `scenario-lab demo` with the ANIP credentials in its
// environment and a real ANIP service, and passes: EDITOR_URL, PARITY_URLS (two services whose
// manifests differ), SHOTS.
import { env, browserTest } from './chromium.mjs';
import assert from 'node:assert/strict';

const step = (name) => console.log(`# ${name}`);
await browserTest('packs e2e', async (page, shot) => {
  await page.goto(env('EDITOR_URL'));
  await page.click('button.tab[data-tab="Packs"]');

  step('the workspace pack opens in CodeMirror with its offline check');
  await page.waitForSelector('button.pack[data-pack="starter.pack.yaml"]');
  await page.waitForSelector('.pack-view .cm-content');
  const pv = {
    text: () => page.evaluate(() => ScenarioLabEditor.packInstance().view.state.doc.toString()),
    replace: (from, to, insert) => page.evaluate(([from, to, insert]) => {
      const view = ScenarioLabEditor.packInstance().view;
      view.dispatch({ changes: { from, to, insert }, userEvent: 'input.type' });
    }, [from, to, insert]),
  };
  await page.waitForFunction(() => /0 error\(s\)/.test(document.querySelector('.pack-findings p')?.textContent ?? ''));
  const text = await pv.text();
  assert.ok(text.includes('format: scenario-pack/v1'), 'the pack is in the code view');

  step('a typo is an error as it is typed: a squiggle on its exact bytes and a finding');
  const at = text.indexOf('  - fixture_reset_tenant-stop\n') + '  - fixture_reset_tenant-'.length;
  await pv.replace(at, at + 'stop'.length, 'stpo');
  const unknown = page.locator('ul.findings li[data-code="pack/unknown-prior"]');
  await unknown.waitFor();
  assert.match(await unknown.innerText(), /no scenario has the id `fixture_reset_tenant-stpo`/);
  assert.ok(await page.locator('button[data-action="run-pack"]').isDisabled(), 'a pack with errors does not run');
  await unknown.click();
  const selected = await page.evaluate(() => { const v = ScenarioLabEditor.packInstance().view; const r = v.state.selection.main; return v.state.sliceDoc(r.from, r.to); });
  assert.equal(selected, 'fixture_reset_tenant-stpo', 'a finding selects its bytes (and scrolls to them)');
  await page.waitForFunction(() => [...document.querySelectorAll('.pack-view .cm-lintRange-error')].some((e) => e.textContent.includes('stpo')));
  await shot('packs-01-error');
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => !document.querySelector('ul.findings li[data-code="pack/unknown-prior"]'));
  assert.equal(await pv.text(), text, 'undo restores the pack');

  step('a brittle assertion gets a quick fix that removes it');
  const brittle = text.replace('    outcome: scope_insufficient\n', '    outcome: scope_insufficient\n    http_status: 403\n');
  await pv.replace(0, text.length, brittle);
  const warning = page.locator('ul.findings li[data-code="pack/brittle-assertion"]');
  await warning.waitFor();
  const box = await page.evaluate(() => {
    const view = ScenarioLabEditor.packInstance().view;
    const pos = view.state.doc.toString().indexOf('http_status') + 3;
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    const c = view.coordsAtPos(pos);
    return { x: c.left + 2, y: (c.top + c.bottom) / 2 };
  });
  await page.mouse.move(box.x, box.y);
  const action = page.locator('.cm-tooltip-lint .cm-diagnosticAction', { hasText: 'remove `expect.http_status`' });
  await action.waitFor({ timeout: 10000 });
  await action.click();
  await page.waitForFunction(() => !document.querySelector('ul.findings li[data-code="pack/brittle-assertion"]'));
  assert.equal(await pv.text(), text, 'the quick fix removed exactly the brittle line');
  await shot('packs-02-fixed');

  step('completion and hover from the pack language service and the saved manifest');
  const capabilityAt = text.indexOf('capability: fixture.count') + 'capability: '.length;
  await page.evaluate((pos) => {
    const view = ScenarioLabEditor.packInstance().view;
    view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
    view.focus();
  }, capabilityAt);
  await page.keyboard.press('Control+Space');
  const options = page.locator('.cm-tooltip-autocomplete li');
  await options.first().waitFor({ timeout: 10000 });
  const offered = await options.allInnerTexts();
  assert.ok(offered.some((o) => o.includes('fixture.reset_tenant')), `capabilities offered: ${offered}`);
  await page.keyboard.press('Escape');
  const hoverBox = await page.evaluate((pos) => {
    const view = ScenarioLabEditor.packInstance().view;
    const c = view.coordsAtPos(pos + 3);
    return { x: c.left + 2, y: (c.top + c.bottom) / 2 };
  }, capabilityAt);
  await page.mouse.move(hoverBox.x, hoverBox.y);
  const card = page.locator('.pack-view .cm-hover-card');
  await card.waitFor({ timeout: 10000 });
  assert.match(await card.innerText(), /fixture\.count/);
  await page.mouse.move(0, 0);
  assert.equal(await pv.text(), text, 'completion and hover left the pack as it was');

  step('the pack runs through the proxy: verdicts and approval chains');
  await page.click('button[data-action="run-pack"]');
  // Each verdict shows as it comes (the expiry negative waits 2 s for its grant to expire).
  await page.waitForFunction(() => /\d+ of 19: /.test(document.querySelector('.packs .busy')?.textContent ?? ''), null, { timeout: 30000 });
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
  await shot('packs-03-run');

  step('one scenario runs with what it needs');
  await page.click('tr[data-scenario="fixture_reset_tenant-replay"] button');
  await page.waitForFunction(() => /^4 passed/.test(document.querySelector('[data-run-summary]')?.textContent ?? ''), null, { timeout: 60000 });

  step('New pack writes the starter pack of a service typed in the page');
  const [firstService] = env('PARITY_URLS').split(' ');
  await page.fill('input.new-pack-service', firstService);
  await page.fill('input.new-pack-name', 'typed.pack.yaml');
  await page.click('button[data-action="new-pack"]');
  await page.waitForSelector('button.pack[data-pack="typed.pack.yaml"].active', { timeout: 30000 });
  const written = await pv.text();
  assert.ok(written.includes(`url: ${firstService}`), 'the new pack names the service');
  assert.match(await page.locator('ul.new-pack-notes').innerText(), /signature verifies/);
  await page.waitForFunction(() => /0 error\(s\)/.test(document.querySelector('.pack-findings p')?.textContent ?? ''));

  step('parity names the drifting field');
  await page.fill('input.parity-urls', env('PARITY_URLS'));
  await page.click('button[data-action="parity"]');
  const table = page.locator('table.parity-differences');
  await table.waitFor({ timeout: 30000 });
  const differences = await table.innerText();
  assert.ok(differences.includes('fixture.reset_tenant') && differences.includes('minimum_scope'), differences);
  await shot('packs-04-parity');
});

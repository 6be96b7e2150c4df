// @scenario-lab/codemirror in a fresh Vite app (tests/tests/codemirror_package.rs builds it from
// tests/vite-app with the packages installed by path and serves it at APP_URL), in Debian's
// Chromium: the README's snippet on a recipe with an unknown `_ref` shows the lint mark on the
// alias, offers the declared aliases at a `_ref` value, hovers, and F12 goes to the `_alias`;
// the packs entry marks a `prior` that names no scenario.
import { env, browserTest } from './chromium.mjs';
import assert from 'node:assert/strict';

await browserTest('codemirror package e2e', async (page, shot) => {
  await page.goto(env('APP_URL'));
  await page.waitForSelector('.cm-content');
  const doc = () => page.evaluate(() => globalThis.view.state.doc.toString());
  const text = await doc();

  // The live preflight: a squiggle on the exact bytes of the unknown alias, with code and help.
  const mark = page.locator('.cm-lintRange-error', { hasText: 'olivai' });
  await mark.waitFor({ timeout: 30000 });
  assert.equal(await mark.first().innerText(), '"olivai"');
  await shot('codemirror-01-lint');

  // Completion at a `_ref` value offers the declared aliases.
  const refAt = text.indexOf('"_ref": "org"') + '"_ref": "'.length;
  await page.evaluate((pos) => { globalThis.view.dispatch({ selection: { anchor: pos } }); globalThis.view.focus(); }, refAt);
  await page.keyboard.press('Control+Space');
  const options = page.locator('.cm-tooltip-autocomplete li');
  await options.first().waitFor({ timeout: 10000 });
  const offered = await options.allInnerTexts();
  for (const alias of ['org', 'olivia', 'adam']) {
    assert.ok(offered.some((o) => o.includes(alias)), `${alias} offered: ${offered}`);
  }
  await page.keyboard.press('Escape');
  await shot('codemirror-02-completion');

  // Hover over the alias used by the `_ref`.
  const box = await page.evaluate((pos) => {
    const c = globalThis.view.coordsAtPos(pos + 1);
    return { x: c.left + 2, y: (c.top + c.bottom) / 2 };
  }, refAt);
  await page.mouse.move(box.x, box.y);
  const card = page.locator('.cm-hover-card');
  await card.waitFor({ timeout: 10000 });
  assert.match(await card.innerText(), /org/);
  await page.mouse.move(0, 0);

  // F12 moves the cursor to the `_alias` declaration.
  await page.evaluate((pos) => { globalThis.view.dispatch({ selection: { anchor: pos + 1 } }); globalThis.view.focus(); }, refAt);
  await page.keyboard.press('F12');
  const declared = text.indexOf('"_alias": "org"') + '"_alias": '.length;
  await page.waitForFunction((at) => {
    const head = globalThis.view.state.selection.main.head;
    return head >= at && head <= at + 5;
  }, declared, { timeout: 10000 });
  assert.equal(await doc(), text, 'nothing was edited');
  await shot('codemirror-03-definition');

  // The packs entry checks a pack in its own worker.
  const prior = page.locator('#pack .cm-lintRange-error', { hasText: 'stpo' });
  await prior.waitFor({ timeout: 30000 });
});

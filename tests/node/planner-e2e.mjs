// The editor on a planner CLI copy (`.autonoma/` with recipe.json and no discover.json), in
// Debian's Chromium: the file list shows the real names and each file's dialect, the page's
// preflight applies the planner's rules (no false error), a broken `_ref` is named at
// recipe.json's line, and saving writes recipe.json back to recipe.json. Started by
// tests/tests/editor.rs with EDITOR_URL, WORKSPACE (the .autonoma/ folder) and SHOTS.
import { env, browserTest } from './chromium.mjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const editorUrl = env('EDITOR_URL');
const workspace = env('WORKSPACE');
await browserTest('planner editor e2e', async (page, shot) => {
  const text = () => page.evaluate(() => ScenarioLabEditor.instance().view.state.doc.toString());
  const select = (a, b) => page.evaluate(([a, b]) => {
    const view = ScenarioLabEditor.instance().view;
    view.focus();
    view.dispatch({ selection: { anchor: a, head: b }, scrollIntoView: true });
  }, [a, b]);

  console.log('# the planner copy opens under its real names, with each file\'s dialect');
  await page.goto(editorUrl);
  await page.waitForSelector('[data-testid=proxy-status].connected', { timeout: 30000 });
  const recipes = 'button.file[data-file="scenario-recipes.json"]';
  await page.waitForSelector(`${recipes}:has-text("recipe.json")`);
  await page.waitForSelector(`${recipes} .dialect:has-text("planner CLI format")`);
  await page.waitForSelector('button.file[data-file="scenarios.md"] .dialect:has-text("planner CLI format")');
  await page.waitForSelector('[data-testid=diagnostics-summary]');
  assert.match(await page.textContent('[data-testid=diagnostics-summary]'), /0 error\(s\)|no problems/);
  await shot('planner-01-opened');

  console.log('# a broken _ref is named at recipe.json\'s line');
  await page.click(recipes);
  const original = await text();
  const at = original.indexOf('"_ref": "sprint"') + '"_ref": "'.length;
  assert.ok(at > 20, 'the fixture has a _ref to sprint');
  const line = original.slice(0, at).split('\n').length;
  await select(at, at + 'sprint'.length);
  await page.keyboard.type('sprnt');
  const diagnostic = 'li.diagnostic[data-code="recipe/unknown-alias"]';
  await page.waitForSelector(diagnostic);
  assert.match(await page.textContent(diagnostic), new RegExp(`recipe\\.json:${line}:`));
  await page.click(`${diagnostic} button.fix`);
  await page.waitForSelector(diagnostic, { state: 'detached' });

  console.log('# saving writes recipe.json back to recipe.json');
  const title = (await text()).indexOf('Sprint 12');
  await select(title, title + 'Sprint 12'.length);
  await page.keyboard.type('Sprint 13');
  await page.click('button[data-action=save]');
  const onDisk = path.join(workspace, 'recipe.json');
  const deadline = Date.now() + 10000;
  while (!fs.readFileSync(onDisk, 'utf8').includes('Sprint 13') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(fs.readFileSync(onDisk, 'utf8').includes('Sprint 13'), 'recipe.json holds the edit');
  assert.ok(!fs.existsSync(path.join(workspace, 'scenario-recipes.json')), 'no scenario-recipes.json appeared');
  await shot('planner-02-saved');
}, { consoleErrors: false });

// The iteration loop in the editor, in Debian's Chromium: a recipe whose second user reuses
// the first one's `{{owner_email}}` fails `up` on the demo's unique column; the Lifecycle panel
// says whose fault it is with a link that opens scenario-recipes.json at the record's line;
// Review's "Reconcile and write" repairs it through the proxy, lists the edit as a diff, and the
// code view takes the repair as one undo step. Started by tests/tests/editor.rs with EDITOR_URL,
// WORKSPACE (the autonoma/ folder) and SHOTS.
import { env, browserTest } from './chromium.mjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const editorUrl = env('EDITOR_URL');
const workspace = env('WORKSPACE');
const setup = (page, failures) => {
  page.on('dialog', (d) => { failures.push(`unexpected dialog: ${d.message()}`); d.dismiss(); });
  page.on('console', (m) => console.log(`console: ${m.text()}`));
};
const onError = async (page, failures) => {
  await page.screenshot({ path: path.join(env('SHOTS'), 'reconcile-failed.png'), fullPage: true }).catch(() => {});
  const body = await page.textContent('body').catch(() => '');
  failures.push(`page text: …${body.slice(body.indexOf('Validate all scenarios'))}`);
};
await browserTest('reconcile editor e2e', async (page, shot) => {
  const text = () => page.evaluate(() => ScenarioLabEditor.instance().view.state.doc.toString());
  const cursorLine = () => page.evaluate(() => {
    const state = ScenarioLabEditor.instance().view.state;
    return state.doc.lineAt(state.selection.main.head).number;
  });

  console.log('# a live failure says whose it is, and its place opens the file at the line');
  await page.goto(editorUrl);
  await page.waitForSelector('[data-testid=proxy-status].connected', { timeout: 30000 });
  const collided = await text();
  await page.click('[data-tab=Lifecycle]');
  await page.click('button[data-action=validate]');
  await page.waitForSelector('[data-testid=verdict]', { timeout: 180000 });
  assert.match(await page.textContent('[data-testid=verdict]'), /failed/);
  const diagnosis = '.diagnosis.scenario[data-cause="unique-collision"]';
  await page.waitForSelector(diagnosis);
  assert.match(await page.textContent(diagnosis), /the scenario/);
  const place = page.locator(`${diagnosis} button.place`).first();
  const label = await place.getAttribute('data-place');
  const [, line] = label.match(/scenario-recipes\.json:(\d+)/) ?? [];
  assert.ok(line, `the place names scenario-recipes.json and a line: ${label}`);
  assert.ok(collided.split('\n')[Number(line) - 1].includes('{{owner_email}}'),
    `line ${line} is the record that reuses {{owner_email}}`);
  await shot('reconcile-01-diagnosed');
  await place.click();
  await page.waitForSelector('[data-tab=Editor].active');
  await page.waitForFunction((l) => {
    const state = ScenarioLabEditor.instance().view.state;
    return state.doc.lineAt(state.selection.main.head).number === l;
  }, Number(line));
  assert.equal(await cursorLine(), Number(line));

  console.log('# Review reconciles through the proxy and lists the edit as a diff');
  await page.click('[data-tab=Review]');
  await page.click('button[data-action=reconcile]');
  const edit = '[data-testid=reconcile-edit]';
  await page.waitForSelector(edit, { timeout: 60000 });
  const shown = await page.textContent(edit);
  assert.match(shown, new RegExp(`scenario-recipes\\.json:${line}`));
  assert.match(shown, /- "email": "\{\{owner_email\}\}"/);
  assert.match(shown, /\+ "email": "\{\{owner_email_2\}\}"/);
  await page.waitForSelector('.notice:has-text("wrote scenario-recipes.json")', { timeout: 60000 });
  const validation = JSON.parse(fs.readFileSync(path.join(workspace, '.scenario-validation.json'), 'utf8'));
  assert.equal(validation.status, 'ok');
  assert.equal(validation.edits.length, 1);
  assert.ok(fs.existsSync(path.join(workspace, '.endpoint-validated')), 'the sentinel is on disk');
  await shot('reconcile-02-edits');

  console.log('# the code view took the repair as one undo step');
  await page.click('[data-tab=Editor]');
  await page.click('button.file[data-file="scenario-recipes.json"]');
  const repaired = await text();
  assert.equal(repaired, fs.readFileSync(path.join(workspace, 'scenario-recipes.json'), 'utf8'));
  assert.ok(repaired.includes('{{owner_email_2}}'), 'the editor shows the repair');
  await page.evaluate(() => ScenarioLabEditor.instance().focus());
  await page.keyboard.press('Control+z');
  assert.equal(await text(), collided, 'one undo takes the whole reconcile back');
  await page.keyboard.press('Control+y');
  assert.equal(await text(), repaired, 'redo brings it again');
}, { consoleErrors: false, setup, onError });

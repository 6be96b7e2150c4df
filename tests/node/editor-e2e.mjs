// End-to-end test of the editor in Debian's Chromium, driven by playwright-core. Started by
// tests/tests/editor.rs, which runs `scenario-lab demo` (the proxy in front of the embedded
// endpoint) and passes: EDITOR_URL, WORKSPACE (the autonoma/ folder), SHOTS (screenshot folder),
// LARGE_100K and LARGE_1M (folders holding a large scenario-recipes.json), TIMINGS_OUT.
import { env, launch } from './chromium.mjs';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

const editorUrl = env('EDITOR_URL');
const workspace = env('WORKSPACE');
const shots = env('SHOTS');
fs.mkdirSync(shots, { recursive: true });

const browser = await launch();
const step = (name) => console.log(`# ${name}`);
const failures = [];
const expectConsole = []; // console errors a step provokes on purpose (an HTTP status it tests)
try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  page.on('pageerror', (e) => failures.push(`page error: ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expectConsole.some((e) => m.text().includes(e))) failures.push(`console error: ${m.text()}`);
  });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  // The code view (CodeMirror): its text, selection and screen positions, in UTF-16 offsets.
  const cm = {
    text: () => page.evaluate(() => ScenarioLabEditor.instance().view.state.doc.toString()),
    select: (a, b = a) => page.evaluate(([a, b]) => {
      const view = ScenarioLabEditor.instance().view;
      view.focus();
      view.dispatch({ selection: { anchor: a, head: b }, scrollIntoView: true });
    }, [a, b]),
    head: () => page.evaluate(() => ScenarioLabEditor.instance().view.state.selection.main.head),
    coords: (pos) => page.evaluate((p) => ScenarioLabEditor.instance().view.coordsAtPos(p), pos),
    waitFor: (predicate, arg) => page.waitForFunction(([source, arg]) => {
      const view = window.ScenarioLabEditor?.instance()?.view;
      return view && new Function('text', 'arg', `return (${source})(text, arg)`)(view.state.doc.toString(), arg);
    }, [predicate.toString(), arg]),
  };

  step('a wrong session token is named as such');
  const stranger = await browser.newPage(); // its 401 is expected: not watched for console errors
  await stranger.goto(editorUrl.replace(/token=[^&]+/, 'token=wrong'));
  await stranger.waitForSelector('[data-testid=proxy-status].failed');
  assert.match(await stranger.textContent('[data-testid=proxy-status]'), /refused the session token/);
  await stranger.screenshot({ path: path.join(shots, '00-wrong-token.png') });
  await stranger.close();

  step('open the example workspace through the proxy');
  await page.goto(editorUrl);
  await page.waitForSelector('[data-testid=proxy-status].connected', { timeout: 30000 });
  await cm.waitFor((text) => text.includes('"recipes"'));
  await page.waitForSelector('[data-testid=diagnostics-summary]');
  const timeToInteractive = await page.evaluate(() => performance.now());
  assert.match(await page.textContent('[data-testid=diagnostics-summary]'), /0 error\(s\)|no problems/);
  await page.click('[data-tab=Overview]');
  assert.ok(await page.locator('table.scenarios tbody tr').count() >= 3, 'the overview lists the scenarios');
  await shot('01-overview');
  await page.click('[data-tab=Graph]');
  await page.waitForSelector('svg.graph g.node');
  await shot('02-graph');

  step('an unknown _ref is flagged at its line and fixed in place; undo brings the typing back');
  await page.click('[data-tab=Editor]');
  const original = await cm.text();
  const at = original.indexOf('"_ref": "olivia"') + '"_ref": "'.length;
  assert.ok(at > 20, 'the example has a _ref to olivia');
  const line = original.slice(0, at).split('\n').length;
  await cm.select(at, at + 'olivia'.length);
  await page.keyboard.type('olivai');
  const broken = await cm.text();
  const diagnostic = 'li.diagnostic[data-code="recipe/unknown-alias"]';
  await page.waitForSelector(diagnostic);
  assert.equal(await page.getAttribute(diagnostic, 'data-line'), String(line));
  assert.match(await page.textContent(diagnostic), new RegExp(`scenario-recipes\\.json:${line}:`));
  await page.waitForSelector('.cm-lintRange-error');
  assert.ok(await page.locator('.cm-lint-marker-error').count() >= 1, 'a marker in the lint gutter');
  await shot('03-unknown-ref');
  // A live action on a file preflight shows as broken asks first; declining runs nothing.
  await page.click('[data-tab=Lifecycle]');
  const asked = new Promise((resolve) => page.once('dialog', (d) => { resolve(d.message()); d.dismiss(); }));
  await page.click('button[data-action=validate]');
  assert.match(await asked, /Preflight found errors in scenario-recipes\.json \(1 error/);
  await page.waitForFunction(() => !document.querySelector('.busy')?.textContent);
  assert.equal(await page.locator('[data-testid=verdict]').count(), 0, 'nothing was validated');
  await page.click('[data-tab=Editor]');
  await page.click(`${diagnostic} button.fix`);
  await page.waitForSelector(diagnostic, { state: 'detached' });
  assert.ok((await cm.text()) === original, 'the fix restores the alias');
  await page.evaluate(() => ScenarioLabEditor.instance().focus());
  await page.keyboard.press('Control+z');
  assert.ok((await cm.text()) === broken, 'undo takes the fix back, and only the fix');
  await page.keyboard.press('Control+y');
  assert.ok((await cm.text()) === original, 'redo fixes it again');
  await shot('04-fixed');

  step('the language service: complete a _ref alias, go to its definition, rename it, hover a field');
  await cm.select(at, at + 'olivia'.length);
  await page.keyboard.type('ad');
  await page.waitForSelector('.cm-tooltip-autocomplete li:has-text("adam")');
  await page.waitForTimeout(150); // CodeMirror ignores Enter in the first 75 ms of a popup
  await page.keyboard.press('Enter');
  await cm.waitFor((text, at) => text.slice(at - 1, at + 5) === '"adam"', at);
  await shot('04b-completed');
  await cm.select(at + 2);
  await page.keyboard.press('F12');
  const declared = original.indexOf('"_alias": "adam"');
  await page.waitForFunction((d) => Math.abs(ScenarioLabEditor.instance().view.state.selection.main.head - d) < 20, declared);
  await page.keyboard.press('F2');
  await page.waitForSelector('.cm-rename input');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('adrian');
  await page.keyboard.press('Enter');
  await cm.waitFor((text) => text.includes('"_alias": "adrian"') && text.split('"adrian"').length - 1 >= 4);
  await shot('04c-renamed');
  await page.keyboard.press('Control+z');
  await cm.waitFor((text) => text.includes('"_alias": "adam"'));
  const email = original.indexOf('"email"') + 3;
  const place = await cm.coords(email);
  await page.mouse.move(place.left + 2, (place.top + place.bottom) / 2);
  await page.waitForSelector('.cm-hover-card');
  assert.match(await page.textContent('.cm-hover-card'), /User\.email: string, required/);
  await shot('04d-hover');
  // Back to the example's text for the lifecycle steps.
  await cm.select(at, at + 'adam'.length);
  await page.keyboard.type('olivia');
  assert.ok((await cm.text()) === original, 'the example again');

  step('keyboard: block indent and outdent keep the text; Escape then Tab leaves the editor');
  const block = original.indexOf('"Organization"');
  await cm.select(block, block + 60);
  await page.keyboard.press('Tab');
  const indented = await cm.text();
  assert.ok(indented.length > original.length && indented.replace(/\s/g, '') === original.replace(/\s/g, ''), 'Tab indents, deletes nothing');
  await page.keyboard.press('Shift+Tab');
  assert.ok((await cm.text()) === original, 'Shift+Tab outdents back');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !document.activeElement.closest('.cm-editor')), 'focus left the editor');

  step('a validation shows a progress bar, and Cancel still tears down what came up');
  await page.click('[data-tab=Lifecycle]');
  await page.click('button[data-action=validate]');
  await page.locator('[data-testid=validation-progress] .step', { hasText: /of \d+ · \[/ }).waitFor({ timeout: 60000 });
  await page.click('button[data-action=cancel-validation]');
  await shot('05a-validation-cancelling');
  await page.waitForSelector('[data-testid=verdict]', { timeout: 180000 });
  assert.equal(await page.locator('[data-testid=validation-progress]').count(), 0, 'the bar goes when the run ends');
  assert.match(await page.textContent('[data-testid=verdict]'), /validation failed/);
  assert.match(await page.textContent('.validation'), /cancelled before: .*the conformance probes/);
  const pendingFile = path.join(workspace, '.scenario-lab', 'pending.json');
  assert.ok(!fs.existsSync(pendingFile) || !fs.readFileSync(pendingFile, 'utf8').includes('testRunId'), 'nothing is left up');
  await shot('05b-validation-cancelled');

  step('validate one scenario, then every scenario, through the proxy');
  const one = (await page.getAttribute('button[data-validate]', 'data-validate'));
  await page.click(`button[data-validate="${one}"]`);
  await page.waitForSelector('[data-testid=verdict]', { timeout: 180000 });
  assert.match(await page.textContent('[data-testid=verdict]'), /validation passed/);
  assert.equal(await page.locator('.validation .scenario-run').count(), 1, `only ${one} ran`);
  await page.click('[data-tab=Review]');
  await page.waitForSelector('button[data-action=write][disabled]');
  assert.match(await page.textContent('[data-testid=write-hint]'), /only some scenarios/);
  await page.click('[data-tab=Lifecycle]');
  await page.click('button[data-action=validate]');
  await page.waitForSelector('.validation .scenario-run >> nth=1', { timeout: 180000 });
  await page.waitForSelector('[data-testid=verdict]', { timeout: 180000 });
  const verdict = await page.textContent('[data-testid=verdict]');
  assert.match(verdict, /validation passed/, verdict);
  assert.equal(await page.locator('.validation ul.checks li.fail').count(), 0, 'no failed check');
  assert.ok(await page.locator('.validation ul.checks li.pass').count() >= 10, 'the checks are listed');
  assert.ok(await page.locator('.validation .scenario-run').count() >= 3);
  await shot('05-validated');

  step('write validated recipes only for the validated content');
  await page.click('[data-tab=Review]');
  const write = 'button[data-action=write]';
  await page.waitForSelector(`${write}:not([disabled])`);
  await page.click('[data-tab=Editor]');
  await cm.select((await cm.text()).length);
  await page.keyboard.type(' ');
  await page.click('[data-tab=Review]');
  await page.waitForSelector(`${write}[disabled]`);
  assert.match(await page.textContent('[data-testid=write-hint]'), /changed since the last validation/);
  await page.click('[data-tab=Editor]');
  await cm.select((await cm.text()).length);
  await page.keyboard.press('Backspace');
  await page.click('[data-tab=Review]');
  await page.waitForSelector(`${write}:not([disabled])`);
  for (const name of ['.endpoint-validated']) {
    if (fs.existsSync(path.join(workspace, name))) fs.rmSync(path.join(workspace, name));
  }
  await page.click(write);
  await page.waitForSelector('.notice:has-text("wrote scenario-recipes.json")', { timeout: 180000 });
  assert.ok(fs.existsSync(path.join(workspace, '.endpoint-validated')), 'the sentinel is on disk');
  const validation = JSON.parse(fs.readFileSync(path.join(workspace, '.scenario-validation.json'), 'utf8'));
  assert.equal(validation.status, 'ok');
  assert.ok(validation.validatedScenarios.length >= 3);
  const written = JSON.parse(fs.readFileSync(path.join(workspace, 'scenario-recipes.json'), 'utf8'));
  assert.ok(written.recipes.length >= 3);
  assert.match(await page.textContent('[data-testid=write-hint]'), /passed/, 'the written recipes are the validated ones');
  await shot('06-review-written');

  step('a run brought up and left behind is listed after a reload and torn down');
  await page.click('[data-tab=Lifecycle]');
  await page.click(`button[data-up="${one}"]`);
  await page.waitForSelector('.up-result');
  const runId = await page.getAttribute('.up-result', 'data-run');
  const auth = await page.textContent('.up-result');
  assert.match(auth, /\*\*\*\*\(\d+ chars\)/, 'auth values are masked');
  const ledger = path.join(workspace, '.scenario-lab', 'pending.json');
  assert.ok(fs.readFileSync(ledger, 'utf8').includes(runId), 'the refs token waits in the ledger');
  await page.reload();
  await page.waitForSelector('[data-testid=proxy-status].connected');
  await page.click('[data-tab=Lifecycle]');
  assert.match(await page.textContent('[data-testid=verdict]'), /validation passed/, 'the proxy remembers the last validation');
  await page.click(`[data-testid=pending] button[data-down="${runId}"]`);
  await page.waitForSelector('[data-testid=pending]', { state: 'detached' });
  assert.ok(!fs.existsSync(ledger) || !fs.readFileSync(ledger, 'utf8').includes(runId), 'torn down and out of the ledger');

  step('keystroke-to-diagnostics timings at 100 KB and 1 MB');
  const timings = { timeToInteractiveMs: Math.round(timeToInteractive) };
  for (const [label, folder] of [['100KB', env('LARGE_100K')], ['1MB', env('LARGE_1M')]]) {
    const file = path.join(folder, 'scenario-recipes.json');
    const size = fs.statSync(file).size;
    await page.click('[data-tab=Editor]');
    await page.setInputFiles('[data-testid=file-picker]', file);
    await cm.waitFor((text, n) => text.length >= n, size);
    await page.waitForTimeout(300);
    const caret = (await cm.text()).indexOf('Project 0001') + 'Project'.length;
    await cm.select(caret);
    await page.evaluate(() => { window.__scenarioLab.timings = []; });
    const keys = 20;
    for (let i = 1; i <= keys; i++) {
      await page.keyboard.type('x');
      await page.waitForFunction((n) => window.__scenarioLab.timings.filter((t) => t.keystrokeMs !== undefined).length >= n, i);
    }
    const runs = await page.evaluate(() => window.__scenarioLab.timings.filter((t) => t.keystrokeMs !== undefined));
    const sorted = (k) => runs.map((r) => r[k]).sort((a, b) => a - b);
    const stats = (k) => {
      const s = sorted(k);
      return { median: +s[Math.floor(s.length / 2)].toFixed(2), p95: +s[Math.floor(s.length * 0.95) - 1].toFixed(2), max: +s[s.length - 1].toFixed(2) };
    };
    timings[label] = { bytes: size, keystrokes: runs.length, keystrokeMs: stats('keystrokeMs'), preflightMs: stats('preflightMs'), handlerMs: stats('handlerMs'), queuedMs: stats('queuedMs'), renderMs: stats('renderMs'), workMs: stats('workMs') };
    console.log(`${label}: ${JSON.stringify(timings[label])}`);
    await shot(`07-large-${label}`);
  }
  console.log(`time to interactive: ${timings.timeToInteractiveMs} ms`);

  step('unsaved edits survive a reload');
  await page.reload();
  await page.waitForSelector('[data-testid=proxy-status].connected');
  await page.waitForSelector('.notice:has-text("restored unsaved edits")');
  await cm.waitFor((text) => text.includes('Projectx'));
  const restored = await cm.text();
  assert.ok(restored.includes(`Project${'x'.repeat(20)} 0001`), 'the typed characters are back');
  await shot('08-restored');

  step('a dropped file that does not parse is reported at its place');
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['{"schema": {"models": [}'], 'discover.json', { type: 'application/json' }));
    document.querySelector('.app').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  const syntax = 'li.diagnostic[data-code="json/syntax"]';
  await page.waitForSelector(syntax);
  assert.match(await page.textContent(syntax), /discover\.json:1:/);
  await page.click(`${syntax} .jump`);
  await cm.waitFor((text) => text.startsWith('{"schema"'));
  assert.equal(await page.getAttribute('button.file.active', 'data-file'), 'discover.json', 'the jump opens the file');
  await shot('09-dropped-broken-discover');

  step('saving over a file that changed on disk is refused; the user chooses');
  const discoverPath = path.join(workspace, 'discover.json');
  const theirs = fs.readFileSync(discoverPath, 'utf8').replace('{', '{\n  "changedBy": "someone else",');
  fs.writeFileSync(discoverPath, theirs);
  expectConsole.push('status of 409');
  await page.click('button[data-action=save]');
  await page.waitForSelector('.conflict[data-file="discover.json"]');
  assert.equal(fs.readFileSync(discoverPath, 'utf8'), theirs, 'the disk keeps the other change');
  await shot('10-save-conflict');
  // The editor keeps the edit; typing during the conflict is kept and shows in the diff.
  await cm.select((await cm.text()).length);
  await page.keyboard.type(' // mine');
  const mine = await cm.text();
  assert.ok(mine.endsWith(' // mine'), 'typing during a conflict is kept');
  await page.click('.conflict[data-file="discover.json"] summary');
  await page.waitForSelector('[data-testid=conflict-diff]:has-text("// mine")');
  await shot('10b-conflict-diff');
  await page.click('.conflict[data-file="discover.json"] button:has-text("Use the disk version")');
  await page.waitForSelector('.conflict', { state: 'detached' });
  await cm.waitFor((text, theirs) => text === theirs, theirs);
  await page.evaluate(() => ScenarioLabEditor.instance().focus());
  await page.keyboard.press('Control+z');
  assert.ok((await cm.text()) === mine, 'the disk choice is one undo step: the edit comes back');

  step('two tabs on the workspace stay in sync, and warn instead of overwriting');
  await page.click('button.file[data-file="scenario-recipes.json"]');
  // A second tab of the same browser profile (a new context would not share its storage).
  const other = await context.newPage();
  other.on('pageerror', (e) => failures.push(`second tab: ${e}`));
  await other.goto(editorUrl);
  await other.waitForSelector('[data-testid=proxy-status].connected');
  await other.waitForFunction(() => ScenarioLabEditor.instance()?.view.state.doc.length > 100);
  const otherText = () => other.evaluate(() => ScenarioLabEditor.instance().view.state.doc.toString());
  await page.bringToFront();
  await cm.select((await cm.text()).length);
  await page.keyboard.type('\n');
  await other.waitForFunction((t) => ScenarioLabEditor.instance().view.state.doc.toString() === t, await cm.text());
  // Both type before hearing of each other: neither edit is overwritten, the second tab warns.
  await other.bringToFront();
  await other.evaluate(() => { const v = ScenarioLabEditor.instance().view; v.focus(); v.dispatch({ selection: { anchor: v.state.doc.length } }); });
  await other.keyboard.type(' ');
  await page.bringToFront();
  await page.keyboard.type('\t');
  await other.waitForSelector('[data-tab-edit="scenario-recipes.json"]');
  assert.ok((await otherText()).endsWith(' '), "the second tab's own edit is kept");
  await other.screenshot({ path: path.join(shots, '11-second-tab-warns.png'), fullPage: true });
  await other.click('[data-tab-edit="scenario-recipes.json"] button:has-text("Take the other tab")');
  await other.waitForFunction((t) => ScenarioLabEditor.instance().view.state.doc.toString() === t, await cm.text());
  await other.close();
  await page.bringToFront();

  step('a proxy that stops answering turns the header red with Retry; offline, files download');
  await page.route('**/api/**', (route) => route.abort());
  expectConsole.push('net::ERR_FAILED');
  await page.click('button[data-action=save]');
  await page.waitForSelector('[data-testid=proxy-status].failed');
  assert.match(await page.textContent('[data-testid=proxy-status]'), /stopped answering/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-action=download]')]);
  assert.match(download.suggestedFilename(), /\.(json|md)$/);
  await shot('12-proxy-gone');
  await page.unroute('**/api/**');
  await page.click('button[data-action=retry]');
  await page.waitForSelector('[data-testid=proxy-status].connected');
  if (process.env.TIMINGS_OUT) fs.writeFileSync(process.env.TIMINGS_OUT, JSON.stringify(timings, null, 2) + '\n');
  assert.deepEqual(failures, [], 'no page or console errors');
  console.log('editor e2e: ok');
} finally {
  await browser.close();
}

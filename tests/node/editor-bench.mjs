// Benchmark of the editor in Debian's headless Chromium (playwright-core): keystroke to painted
// character and to painted diagnostics at 100 KB, 1 MB and 5 MB, side by side with a bare
// <textarea> (what the editor replaced); completion at 1 MB (the service's answer through the
// worker, and Ctrl+Space to the painted popup); the bundle's gzipped size.
// Started by tests/src/bin/editor_bench.rs, which serves dist/ and passes EDITOR_URL, DIST,
// LARGE (a JSON object: label -> folder holding a scenario-recipes.json), KEYS and OUT.
import { env, launch, stats, armProbe, probeResult, timeKeystrokes } from './chromium.mjs';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const keys = Number(process.env.KEYS ?? 40);
const browser = await launch();
const results = { chromium: browser.version(), keystrokes: keys, sizes: {} };
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on('crash', () => console.error('the page crashed'));
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  page.on('dialog', (d) => { console.error(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(env('EDITOR_URL'));
  await page.waitForSelector('[data-testid=diagnostics-summary]', { timeout: 60000 });
  const view = () => 'ScenarioLabEditor.instance().view';
  for (const [label, folder] of Object.entries(JSON.parse(env('LARGE')))) {
    const file = path.join(folder, 'scenario-recipes.json');
    const text = fs.readFileSync(file, 'utf8');
    await page.click('[data-tab=Editor]');
    await page.setInputFiles('[data-testid=file-picker]', file);
    await page.waitForFunction((n) => ScenarioLabEditor.instance().view.state.doc.length >= n, text.length, { timeout: 60000 });
    await page.waitForSelector('[data-testid=diagnostics-summary]');
    await page.waitForTimeout(500);
    // At the end of the first `"_ref": "org"` value: an `x` there makes the alias unknown (an
    // error, timed to the painted character), Backspace makes it known again (timed to the
    // painted diagnostics: the error's squiggle goes).
    const caret = text.indexOf('"_ref": "org"') + '"_ref": "org'.length;
    await page.evaluate(([v, at]) => {
      const editor = eval(v);
      editor.focus();
      editor.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    }, [view(), caret]);
    await page.waitForTimeout(300);
    const { char, diagnostics } = await timeKeystrokes(page, keys);
    const completion = [];
    const service = {};
    if (label === '1MB') {
      // The language service's answer in the page (through the worker), at the first `_ref` and
      // at the last one (the whole recipe before it is scanned).
      for (const [where, at] of [['first', caret], ['last', text.lastIndexOf('"_ref": "') + 9]]) {
        service[where] = stats(await page.evaluate(async ([n, at]) => {
          const editor = ScenarioLabEditor.instance();
          const times = [];
          for (let i = 0; i < n; i++) {
            const t0 = performance.now();
            const items = await editor.worker.language('complete', editor.files(), editor.current, at);
            if (!items.length) throw new Error('no completions');
            times.push(performance.now() - t0);
          }
          return times;
        }, [keys, at]));
      }
      for (let i = 0; i < keys; i++) {
        await armProbe(page, 'completion');
        await page.keyboard.press('Control+Space');
        completion.push(await probeResult(page));
        await page.keyboard.press('Escape');
        await page.waitForTimeout(100);
      }
    }
    results.sizes[label] = {
      bytes: text.length,
      charPainted: stats(char),
      diagnosticsPainted: stats(diagnostics),
      ...(completion.length ? { completionPainted: stats(completion), completionService: service } : {}),
      textareaCharPainted: stats(await bareTextarea(text)),
    };
    console.log(`${label}: ${JSON.stringify(results.sizes[label])}`);
  }
  results.bundle = bundle(env('DIST'));
  console.log(`bundle: ${JSON.stringify(results.bundle)}`);
} finally {
  await browser.close();
}
fs.writeFileSync(env('OUT'), JSON.stringify(results, null, 2) + '\n');

/** The same text in a bare <textarea> on a blank page: keystroke to painted character. */
async function bareTextarea(text) {
  const blank = await browser.newPage();
  await blank.setContent('<textarea id="t" style="width:1400px;height:900px"></textarea>');
  await blank.evaluate((t) => {
    const area = document.getElementById('t');
    area.value = t;
    area.focus();
    area.setSelectionRange(10, 10);
  }, text);
  const times = [];
  for (let i = 0; i < keys; i++) {
    await armProbe(blank, 'char');
    await blank.keyboard.press(i % 2 === 0 ? 'x' : 'Backspace');
    times.push(await probeResult(blank));
    await blank.waitForTimeout(50);
  }
  await blank.close();
  return times;
}

/** Gzipped sizes of what the page loads: the wasm module, its JS glue, the CodeMirror bundle. */
function bundle(dist) {
  const gz = (name) => zlib.gzipSync(fs.readFileSync(path.join(dist, name)), { level: 9 }).length;
  const files = fs.readdirSync(dist);
  const wasm = files.find((f) => f.endsWith('.wasm'));
  const glue = files.find((f) => f.startsWith('scenario-lab-web') && f.endsWith('.js'));
  const out = {
    wasm: gz(wasm),
    glue: gz(glue),
    editorJs: gz('editor.js'),
    workerJs: gz('worker.js'),
  };
  out.total = out.wasm + out.glue + out.editorJs + out.workerJs;
  return out;
}

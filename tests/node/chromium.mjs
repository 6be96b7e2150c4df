// Debian's Chromium for the browser tests, started headless as root with the flags this machine
// needs (no sandbox, no background networking), and the environment variables the tests read.
import { chromium } from 'playwright-core';

/** The value of a required environment variable. */
export const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

/** A headless Chromium (`$CHROMIUM`, else /usr/bin/chromium). */
export const launch = () => chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

/**
 * Runs `body(page, shot)` in a fresh headless Chromium page: page errors (and console errors,
 * unless `consoleErrors` is false) fail the test as thrown errors do, `shot(name)` saves a
 * screenshot under `$SHOTS`, `setup(page, failures)` adds listeners, `onError(page, failures)`
 * looks around after a failure; the process exits 1 with every failure, or prints `${name}: ok`.
 */
export async function browserTest(name, body, { consoleErrors = true, setup, onError } = {}) {
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const shots = env('SHOTS');
  mkdirSync(shots, { recursive: true });
  const browser = await launch();
  const failures = [];
  let page;
  try {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => failures.push(`page error: ${e}`));
    if (consoleErrors) page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
    setup?.(page, failures);
    const shot = (file) => page.screenshot({ path: join(shots, `${file}.png`), fullPage: true });
    await body(page, shot);
  } catch (error) {
    failures.push(String(error?.stack ?? error));
    if (page) await onError?.(page, failures);
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log(`${name}: ok`);
}

/** Median, p95 and max of timings (ms). */
export const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.ceil(s.length * q) - 1)];
  return { n: s.length, median: +at(0.5).toFixed(1), p95: +at(0.95).toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

/** In the page: resolves with the ms from the next keydown until the frame after `painted()`
 * holds (checked on every DOM mutation), i.e. until that frame was presented. */
export function armProbe(page, what) {
  return page.evaluate((what) => {
    window.__probe = new Promise((resolve, reject) => {
      const painted = {
        char: () => true,
        diagnostics: (before) => document.querySelectorAll('.cm-lintRange').length !== before,
        completion: () => document.querySelector('.cm-tooltip-autocomplete li') !== null,
      }[what];
      const before = document.querySelectorAll('.cm-lintRange').length;
      setTimeout(() => reject(new Error(`no ${what} painted within 10 s`)), 10000);
      document.addEventListener('keydown', (event) => {
        const t0 = event.timeStamp;
        const afterFrame = () => requestAnimationFrame(() => {
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve(performance.now() - t0);
          channel.port2.postMessage(0);
        });
        if (painted(before)) { afterFrame(); return; }
        const observer = new MutationObserver(() => {
          if (!painted(before)) return;
          observer.disconnect();
          afterFrame();
        });
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      }, { capture: true, once: true });
    });
  }, what);
}

export const probeResult = (page) => page.evaluate(() => window.__probe);

/**
 * `keys` times an `x` at the caret then Backspace: each `x` timed to its painted character, each
 * Backspace to the painted change of squiggles when `diagnostics` (else untimed).
 */
export async function timeKeystrokes(page, keys, { diagnostics = true } = {}) {
  const char = [];
  const painted = [];
  for (let i = 0; i < keys; i++) {
    await armProbe(page, 'char');
    await page.keyboard.press('x');
    char.push(await probeResult(page));
    await page.waitForTimeout(150); // let the diagnostics of that keystroke land
    if (diagnostics) {
      await armProbe(page, 'diagnostics');
      await page.keyboard.press('Backspace');
      painted.push(await probeResult(page));
    } else {
      await page.keyboard.press('Backspace');
    }
    await page.waitForTimeout(150);
  }
  return { char, diagnostics: painted };
}

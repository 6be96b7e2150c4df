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
 * Runs `body(page, shot)` in a fresh headless Chromium page: page errors and console errors
 * fail the test as thrown errors do, `shot(name)` saves a screenshot under `$SHOTS`, and the
 * process exits 1 with every failure, or prints `${name}: ok`.
 */
export async function browserTest(name, body) {
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const shots = env('SHOTS');
  mkdirSync(shots, { recursive: true });
  const browser = await launch();
  const failures = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.on('pageerror', (e) => failures.push(`page error: ${e}`));
    page.on('console', (m) => { if (m.type() === 'error') failures.push(`console error: ${m.text()}`); });
    const shot = (file) => page.screenshot({ path: join(shots, `${file}.png`), fullPage: true });
    await body(page, shot);
  } catch (error) {
    failures.push(String(error?.stack ?? error));
  } finally {
    await browser.close();
  }
  if (failures.length) {
    console.error(failures.join('\n'));
    process.exit(1);
  }
  console.log(`${name}: ok`);
}

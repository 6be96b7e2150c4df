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

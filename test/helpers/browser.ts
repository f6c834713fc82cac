// The one place that decides whether browser tests run: Debian's Chromium at /usr/bin/chromium, driven by
// playwright-core. Without it the tests skip with a printed reason, except under CI (`CI` set), where a missing
// browser is a failure: CI installs it, so its absence there means the check silently stopped checking.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** True when browser tests can run; prints why not once per file, and throws under CI. */
export function browserAvailable(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `${what}: ${CHROMIUM} not found (Debian: apt-get install -y chromium)`;
  if (process.env.CI) throw new Error(`${why}; CI must run the browser tests`);
  console.warn(`${why}; these browser tests are skipped`);
  return false;
}

/** Headless Chromium with the flags this machine's closed network needs (no background connections). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Debian's Chromium for the tests that look at pages (driven by playwright-core, never a
 * downloaded browser): where it is, the flags every launch uses, and a clear failure without it.
 */
import { existsSync } from 'node:fs';

/** Debian's package (apt-get install chromium), or the binary the environment variable CHROMIUM names. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Throws, saying how to get it, when Debian's Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: these tests drive Debian's Chromium (apt-get install chromium; .ci/run installs it)`);
}

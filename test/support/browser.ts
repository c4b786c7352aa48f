// Debian's Chromium for browser tests, driven by playwright-core (never a downloaded browser).
import { chromium, type Browser } from 'playwright-core';

export const SCREENSHOTS = 'test-results/screenshots';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * The one place that knows how to start Chromium here: Debian's /usr/bin/chromium (installed by
 * scripts/setup) or SIMDOPT_CHROMIUM; without either, Playwright looks for a browser of its own.
 * Used by the vitest browser project and by the end-to-end tests (playwright-core).
 */
import { existsSync } from 'node:fs';

export const chromiumPath: string | undefined =
  process.env.SIMDOPT_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export const chromiumArgs = [
  '--no-sandbox', // CI runs as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // The network here is closed: without these Chromium keeps dialling Google's hosts.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

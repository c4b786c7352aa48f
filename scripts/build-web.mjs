// Builds the clinician web app (web/, Vite) into web/dist when its sources changed since the last
// build: run by `npm ci`/`npm install` (prepare) and by `npm start`, so the README's two commands
// still do everything. A build records the hash of what it was built from in web/dist/.source-hash.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../web/', import.meta.url));
const hashFile = path.join(root, 'dist', '.source-hash');

/** Every file the build reads: the page, the sources, and the locked dependencies. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sources(full) : [full];
  });
}

const files = [path.join(root, 'index.html'), ...sources(path.join(root, 'src')).sort(), fileURLToPath(new URL('../package-lock.json', import.meta.url))];
const hash = createHash('sha256');
for (const file of files) hash.update(path.relative(root, file)).update('\0').update(readFileSync(file));
const sourceHash = hash.digest('hex');

if (existsSync(hashFile) && readFileSync(hashFile, 'utf8') === sourceHash) {
  console.log('The clinician app is up to date (web/dist).');
} else {
  const { build } = await import('vite');
  await build({
    root,
    base: '/app/',
    logLevel: 'warn',
    esbuild: { jsx: 'automatic' },
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      chunkSizeWarningLimit: 1500,
      // Mantine marks its modules "use client" for React Server Components; a plain bundle ignores that.
      rollupOptions: { onwarn: (warning, warn) => warning.code !== 'MODULE_LEVEL_DIRECTIVE' && warn(warning) },
    },
  });
  writeFileSync(hashFile, sourceHash);
  console.log('Built the clinician app into web/dist.');
}

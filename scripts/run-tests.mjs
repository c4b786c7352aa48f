// `npm test`: lints (ESLint, Prettier), type-checks, then runs every *.test.ts under src/ and test/ with Node's test runner.
// Database tests run on PGlite, and also on PostgreSQL when TEST_DATABASE_URL is set.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...testFiles('src'), ...testFiles('test')].sort();
const run = (args) => spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1;

if (only.length === 0) {
  for (const check of [
    ['npm', ['run', '--silent', 'lint']],
    ['npx', ['tsc', '--noEmit', '-p', '.']],
    ['npx', ['tsc', '--noEmit', '-p', 'web']],
  ]) {
    const status = spawnSync(check[0], check[1], { stdio: 'inherit' }).status;
    if (status !== 0) process.exit(status ?? 1);
  }
}
console.log(`Running ${files.length} test files${process.env.TEST_DATABASE_URL ? ' (PGlite and PostgreSQL)' : ' (PGlite)'}`);
process.exit(run(['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]));

// Modules import each other one way only: `npm run lint` fails on a cycle between modules (say
// referrals → mirror → referrals), which dependency-cruiser's file-level rule cannot see. Tests are
// left out: a test may import whatever it exercises.
import { execFileSync } from 'node:child_process';

const moduleOf = (file) => /^src\/modules\/([^/]+)\//.exec(file)?.[1];
const cruised = execFileSync(
  process.execPath,
  [
    'node_modules/dependency-cruiser/bin/dependency-cruise.mjs',
    'src',
    '--config',
    '.dependency-cruiser.cjs',
    '--exclude',
    '\\.test\\.ts$',
    '--output-type',
    'json',
  ],
  { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
const output = JSON.parse(cruised);

const edges = new Map();
for (const { source, dependencies } of output.modules) {
  const from = moduleOf(source);
  for (const { resolved } of dependencies) {
    const to = moduleOf(resolved);
    if (from && to && from !== to) edges.set(from, new Set([...(edges.get(from) ?? []), to]));
  }
}

/** The first cycle found from `start`, as a path that returns to it; undefined when there is none. */
function cycleFrom(start) {
  const seen = new Set();
  const walk = (module, path) => {
    for (const next of edges.get(module) ?? []) {
      if (next === start) return [...path, next];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, next]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}

/** A cycle written from its first module in name order, so each is reported once. */
function normalized(path) {
  const ring = path.slice(0, -1);
  const first = ring.indexOf([...ring].sort()[0]);
  const rotated = [...ring.slice(first), ...ring.slice(0, first)];
  return [...rotated, rotated[0]].join(' → ');
}

const cycles = new Set([...edges.keys()].map(cycleFrom).filter(Boolean).map(normalized));
if (cycles.size > 0) {
  console.error(`Modules import each other in a cycle:\n${[...cycles].map((cycle) => `  ${cycle}`).join('\n')}`);
  process.exit(1);
}
console.log(`✔ no cycles between modules (${edges.size} modules import others)`);

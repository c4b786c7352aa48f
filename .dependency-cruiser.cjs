// Module boundaries, checked by `npm run lint` (dependency-cruiser): no import cycles, the platform
// layer knows no module, the shared vocabulary and the configuration know no other module, and a
// module's tables are reached through its service, never its repository.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'Modules and files import each other one way only', from: {}, to: { circular: true } },
    {
      name: 'platform-knows-no-module',
      severity: 'error',
      comment: 'src/platform is shared plumbing: it imports no module',
      from: { path: '^src/platform' },
      to: { path: '^src/modules' },
    },
    {
      name: 'repositories-are-private',
      severity: 'error',
      comment: "Another module's tables are reached through its service interface, not its repository",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/([^/]+)/(repo|task-repo|change-repo)\\.ts$', pathNot: ['^src/modules/$1/', '^src/modules/audit/'] },
    },
    {
      name: 'tables-are-declared-by-their-module',
      severity: 'error',
      comment: "A module's tables.ts is its own: no other module reads it (src/database.ts puts every module's tables together)",
      from: { path: '^src/modules/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/modules/([^/]+)/tables\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'vocabulary-is-a-leaf',
      severity: 'error',
      comment: 'The shared FHIR vocabulary (resource types, id scheme, references, priorities) imports no other module',
      from: { path: '^src/modules/vocabulary/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/vocabulary/' },
    },
    {
      name: 'config-reads-only-the-vocabulary',
      severity: 'error',
      comment: 'Configuration is read before any module is built: it may name shared vocabulary, nothing else',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/modules/', pathNot: '^src/modules/vocabulary/' },
    },
    { name: 'no-test-code-in-the-service', severity: 'error', from: { path: '^src', pathNot: '\\.test\\.ts$' }, to: { path: '(^test/|\\.test\\.ts$)' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|data|test-results)/' },
  },
};

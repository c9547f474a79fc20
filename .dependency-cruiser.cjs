// The layer rule of docs/ARCHITECTURE.md, checked by test/architecture.test.ts and by
// `npx depcruise src conformance`. Imports point down only:
//
//   protocol ← contracts ← chain (src/sim) ← reference (receiver, sender) ← conformance, simulator ← cli
//
// plus: no cycles (type-only imports count), the conformance runner never imports the reference
// implementation, the sender and the receiver do not import each other, the protocol core loads
// no ethers, ganache, SQLite or fastify.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Modules must not import each other, directly or through others (type-only imports count).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'protocol-is-the-bottom',
      comment: 'src/protocol is pure: it imports nothing of the kit outside itself.',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { path: '^(src|conformance)/', pathNot: '^src/protocol/' },
    },
    {
      name: 'protocol-loads-no-heavy-stack',
      comment: 'src/protocol loads neither ethers, ganache, SQLite nor fastify.',
      severity: 'error',
      from: { path: '^src/protocol/' },
      to: { dependencyTypes: ['npm'], path: 'node_modules/(ethers|ganache|better-sqlite3|fastify|memdown)/' },
    },
    {
      name: 'contracts-above-protocol-only',
      severity: 'error',
      from: { path: '^src/contracts/' },
      to: { path: '^(src|conformance)/', pathNot: '^src/(protocol|contracts)/' },
    },
    {
      name: 'chain-above-contracts-only',
      comment: 'src/sim is the deterministic chain: protocol and contracts below it, nothing above.',
      severity: 'error',
      from: { path: '^src/sim/' },
      to: { path: '^(src|conformance)/', pathNot: '^src/(protocol|contracts|sim)/' },
    },
    {
      name: 'reference-above-contracts-only',
      comment: 'The reference receiver and sender use the protocol and the contracts (and the package info), never the simulated chain.',
      severity: 'error',
      from: { path: '^src/reference/' },
      to: { path: '^(src|conformance)/', pathNot: '^src/(protocol|contracts|reference)/|^src/package\\.ts$' },
    },
    {
      name: 'browser-above-protocol-only',
      comment: 'uraiden-kit/browser runs in browsers: the protocol core below it, nothing else of the kit.',
      severity: 'error',
      from: { path: '^src/browser/' },
      to: { path: '^(src|conformance)/', pathNot: '^src/(protocol|browser)/' },
    },
    {
      name: 'browser-loads-no-node',
      comment: 'No Node built-in in the browser library, and of npm packages only the @noble ones the protocol core uses.',
      severity: 'error',
      from: { path: '^src/browser/' },
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: 'node_modules/@noble/' },
    },
    {
      name: 'protocol-touches-node-in-one-file',
      comment:
        'src/protocol/native.ts is the one file of the protocol core that uses Node; browser bundles replace it by native-browser.ts (package.json "browser").',
      severity: 'error',
      from: { path: '^src/protocol/', pathNot: '^src/protocol/native\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'nothing-imports-the-browser-library',
      comment: 'The browser library sits beside the Node parts: they serve its bundle as a file, never import it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/browser/' },
      to: { path: '^src/browser/' },
    },
    {
      name: 'sender-does-not-import-receiver',
      severity: 'error',
      from: { path: '^src/reference/sender/' },
      to: { path: '^src/reference/', pathNot: '^src/reference/sender/' },
    },
    {
      name: 'receiver-does-not-import-sender',
      severity: 'error',
      from: { path: '^src/reference/receiver/' },
      to: { path: '^src/reference/', pathNot: '^src/reference/receiver/' },
    },
    {
      name: 'manager-below-proxy',
      comment: 'The channel manager does not know the HTTP layer on top of it.',
      severity: 'error',
      from: { path: '^src/reference/receiver/manager/' },
      to: { path: '^src/reference/receiver/proxy/' },
    },
    {
      name: 'conformance-never-imports-the-reference',
      comment: 'The runner tests any receiver over HTTP and JSON-RPC: it must not share code with the one it tests.',
      severity: 'error',
      from: { path: '^conformance/' },
      to: { path: '^src/', pathNot: '^src/(protocol|contracts|sim)/|^src/package\\.ts$' },
    },
    {
      name: 'simulator-below-cli',
      severity: 'error',
      from: { path: '^src/simulator/' },
      to: { path: '^(src/cli|conformance)/' },
    },
    {
      name: 'root-entry-is-the-common-subset',
      comment: 'Importing uraiden-kit never loads the chain, the simulator or the conformance runner.',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^(src|conformance)/', pathNot: '^src/(protocol|reference/receiver|reference/sender)/' },
    },
    {
      name: 'package-info-imports-nothing',
      severity: 'error',
      from: { path: '^src/package\\.ts$' },
      to: { path: '^(src|conformance)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^src/contracts/generated/' },
  },
};

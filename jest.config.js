/** @type {import('jest').Config} */
const swc = (extra = {}) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs', ignoreDynamic: false },
    ...extra,
  },
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/sdk'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  // Nest 12 and PGlite ship ES modules only; Jest runs CommonJS, so they are transformed too.
  transform: {
    '^.+\\.ts$': swc(),
    '^.+\\.c?js$': swc({ jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' } }),
  },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@electric-sql|file-type|strtok3|token-types|@tokenizer|uint8array-extras|load-esm)/)'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60_000,
  // One shared PGlite per file takes a few seconds to start; keep files serial (npm test runs --runInBand).
  maxWorkers: 1,
};

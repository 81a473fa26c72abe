// Lint for the whole house. Beside typescript-eslint's recommended rules, it enforces the
// one-way dependencies: shared imports no service; no service imports another (they talk
// through streams and HTTP); domain code never sees Express.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const services = ['comment-intake', 'moderation-queue', 'cookie-consent'];

function forbidOtherServices(self) {
  return services
    .filter((s) => s !== self)
    .flatMap((s) => [`@parley/${s}`, `@parley/${s}/*`, `**/${s}/**`, `**/${s}`]);
}

module.exports = tseslint.config(
  { ignores: ['**/node_modules/**', '.tsbuild/**', '**/dist/**', 'data/**', 'coverage/**', 'bench/out/**', '**/.tmp*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@parley/*', '!@parley/shared', '**/services/**'], message: 'shared must not depend on a service' }] }],
    },
  },
  ...services.map((s) => ({
    files: [`services/${s}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbidOtherServices(s), message: 'services talk through streams and HTTP, never imports' }] }],
    },
  })),
  ...services.map((s) => ({
    files: [`services/${s}/src/domain/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'express', message: 'Express stays in routes and handlers' }],
          patterns: [{ group: forbidOtherServices(s), message: 'services talk through streams and HTTP, never imports' }],
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'drizzle/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/cli/**', 'src/main.ts', 'src/cluster.ts', 'bin/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The dashboard's browser modules: browser globals only, and no storage that outlives the tab (decision 0040).
    files: ['src/dashboard/ui/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', URLSearchParams: 'readonly', Intl: 'readonly' },
    },
    rules: {
      'no-restricted-globals': ['error', 'localStorage', 'indexedDB', 'sessionStorage', 'location', 'history'],
      'no-restricted-properties': ['error',
        { object: 'window', property: 'localStorage', message: 'The session lives in sessionStorage only.' },
        { object: 'window', property: 'indexedDB', message: 'The session lives in sessionStorage only.' },
        { object: 'document', property: 'cookie', message: 'The dashboard sets no cookie.' }],
    },
  },
  {
    files: ['bin/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);

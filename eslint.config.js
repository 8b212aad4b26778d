// Lint rules for the whole repository (flat config).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One lint block per top-level folder, forbidding imports of the folders it must not depend on. */
function layers(forbidden) {
  return Object.entries(forbidden).map(([folder, below]) => ({
    files: [`${folder}/**/*.{ts,tsx,mjs,js}`],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{
          regex: `^(\\.\\./)+(${below.join('|')})(/|$)`,
          message: `${folder}/ must not import ${below.join(', ')}: see the layers in docs/ARCHITECTURE.md.`,
        }],
      }],
    },
  }));
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'data/**', 'test-results/**', 'coverage/**', '.bench/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', queueMicrotask: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly',
        AbortController: 'readonly', fetch: 'readonly', performance: 'readonly', structuredClone: 'readonly',
        window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly', location: 'readonly',
        HTMLElement: 'readonly', Event: 'readonly', KeyboardEvent: 'readonly', FormData: 'readonly', Blob: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
    },
  },

  // Layering: protocol ← parser ← agent / server (and dashboard) ← tools ← scripts and tests. No import runs back
  // up a layer or sideways between agent, server and dashboard; tests may reach across to check one part against another.
  ...layers({
    protocol: ['parser', 'agent', 'server', 'dashboard', 'tools', 'scripts', 'test'],
    parser: ['agent', 'server', 'dashboard', 'tools', 'scripts', 'test'],
    agent: ['server', 'dashboard', 'tools', 'scripts', 'test'],
    server: ['agent', 'dashboard', 'tools', 'scripts', 'test'],
    dashboard: ['agent', 'server', 'parser', 'tools', 'scripts', 'test'],
    tools: ['scripts', 'test'],
  }),
);

// ESLint for the pages' JavaScript (src/web/*.js), run by run.sh before the browser tests.
// The pages load classic scripts (<script src defer>, no modules, no bundler): app.js declares
// the one global, Balint, and every page script reads it. Browser globals only; no Node.
'use strict';

const js = require('@eslint/js');
const globals = require('globals');

module.exports = [
  {
    files: ['src/web/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'script',
      globals: { ...globals.browser, Balint: 'readonly' },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...js.configs.recommended.rules,
      strict: ['error', 'global'],
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      'no-implicit-globals': ['error', { lexicalBindings: true }],
    },
  },
  {
    // app.js is where Balint is defined: the one global the pages share.
    files: ['src/web/app.js'],
    rules: {
      'no-redeclare': ['error', { builtinGlobals: false }],
      'no-implicit-globals': 'off',
      'no-unused-vars': ['error', { varsIgnorePattern: '^Balint$' }],
    },
  },
];

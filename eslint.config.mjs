// Lint with the module boundaries of STYLE.md. Formatting is Prettier's (npm run format:check).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Relative imports that reach into one of these top-level folders of src. */
const into = (...folders) => `^(\\.\\./)+(src/)?(${folders.join('|')})(/|$)`;

const restrict = (files, regex, message) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns: [{ regex, message }] }] },
});

export default tseslint.config(
  { ignores: ['dist/**', 'bench/dist/**', 'node_modules/**', '.data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { __dirname: 'readonly', module: 'writable', require: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  restrict(
    ['src/config/**', 'src/common/**'],
    into('users', 'tokens', 'auth', 'admin', 'audit', 'mail', 'health', 'database'),
    'config and common import no feature module',
  ),
  {
    ...restrict(
      ['src/database/**'],
      into('tokens', 'auth', 'admin', 'health'),
      'database knows the entities (entities.ts), never the services',
    ),
    ignores: ['src/database/entities.ts'],
  },
  restrict(['src/users/**'], into('tokens', 'auth', 'admin'), 'users imports none of our feature modules'),
  restrict(['src/tokens/**'], into('auth', 'admin'), 'tokens may import users, never auth'),
  restrict(['src/auth/**'], into('admin'), 'auth is imported by product modules, never the other way'),
  restrict(
    ['src/admin/**', 'test/fixtures/**', 'bench/**'],
    '^(\\.\\./)+(src/)?auth/(?!index$)',
    'product modules import auth from its public entry, src/auth/index.ts',
  ),
);

import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'data',
      'dist',
      'web/dist',
      'coverage',
      '.ci/node24',
      'web/src/api/schema.d.ts',
      'test/browser/artifacts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // Every user-facing string goes through i18n (defineMessages): Chinese written straight
      // into markup would stay Chinese after the switch to English.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'JSXText[value=/\\p{Script=Han}/u]',
          message: 'Text shown to users goes through i18n (defineMessages), not into the markup.',
        },
        {
          selector: 'JSXAttribute > Literal[value=/\\p{Script=Han}/u]',
          message: 'Text shown to users goes through i18n (defineMessages), not into the markup.',
        },
      ],
    },
  },
);

// Import boundaries enforce DESIGN.md §2's dependency direction:
//   commands → services → {apply, render} → plan → evaluate → facts
//            → {playbook, inventory} → transport → model
// Nothing imports upward; only transport/ talks to ssh2 and the Kubernetes
// client; only commands/ talks to oclif and inquirer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['commands', 'services', 'apply', 'render', 'plan', 'evaluate', 'facts', 'playbook', 'inventory', 'transport', 'model'];
// Layers a given layer may NOT import (everything at or above it, except itself and its peers).
const above = {
  model: layers.filter((l) => l !== 'model'),
  transport: layers.filter((l) => !['transport', 'model'].includes(l)),
  inventory: ['commands', 'services', 'apply', 'render', 'plan', 'evaluate', 'facts', 'playbook'],
  playbook: ['commands', 'services', 'apply', 'render', 'plan', 'evaluate', 'facts', 'inventory'],
  facts: ['commands', 'services', 'apply', 'render', 'plan', 'evaluate'],
  evaluate: ['commands', 'services', 'apply', 'render', 'plan'],
  plan: ['commands', 'services', 'apply', 'render'],
  render: ['commands', 'services', 'apply'],
  apply: ['commands', 'services', 'render'],
  services: ['commands'],
  commands: [],
};

// Upward imports that get their own message, saying why the boundary is there.
const boundaries = {
  evaluate: {
    plan: 'src/evaluate/ judges and src/plan/ changes: evaluation imports nothing from planning (issue 9 §3); move what both need down into src/evaluate/.',
  },
};

const transportOnly = ['ssh2', '@kubernetes/client-node'];
const commandsOnly = ['@oclif/core', '@inquirer/prompts'];

function restrictions(layer) {
  const paths = [
    ...(layer === 'transport' ? [] : transportOnly.map((name) => ({ name, message: 'Only src/transport/ may import this library (DESIGN.md §2).' }))),
    ...(layer === 'commands' ? [] : commandsOnly.map((name) => ({ name, message: 'Only src/commands/ may import this library (DESIGN.md §2).' }))),
  ];
  const dedicated = Object.keys(boundaries[layer] ?? {});
  const upward = above[layer].filter((l) => !dedicated.includes(l));
  const patterns = [
    ...(upward.length ? [{ group: upward.map((l) => `**/${l}/*`), message: `src/${layer}/ must not import upward (DESIGN.md §2 dependency direction).` }] : []),
    ...dedicated.map((l) => ({ group: [`**/${l}/*`], message: boundaries[layer][l] })),
  ];
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/lab/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictions(layer) },
  })),
  {
    files: ['test/**/*.ts', 'test/**/*.mjs', 'scripts/**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'Buffer', 'URL', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'TextDecoder', 'TextEncoder'].map((g) => [g, 'readonly']),
      ),
    },
  },
);

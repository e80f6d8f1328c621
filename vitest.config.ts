import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export condition,
// so tests never run against stale builds.
const resolve = { conditions: ['source', 'import', 'node', 'default'] };
const exclude = ['**/node_modules/**', '**/dist/**', '.local/**', '.cache/**'];

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    projects: [
      {
        resolve,
        ssr: { resolve: { conditions: ['source'] } },
        // The console's component tests (.tsx) pick happy-dom with a `@vitest-environment` comment.
        test: { name: 'unit', include: ['**/*.unit.test.ts', '**/*.unit.test.tsx'], exclude, testTimeout: 10_000 },
      },
      {
        resolve,
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'int',
          include: ['**/*.int.test.ts'],
          exclude,
          globalSetup: ['packages/testing/src/globalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration tests share one broker and registry; files run in parallel but each test
          // uses its own topics and groups.
          maxWorkers: 2,
        },
      },
      {
        resolve,
        ssr: { resolve: { conditions: ['source'] } },
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude,
          globalSetup: ['packages/testing/src/globalSetup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // The whole platform runs as real processes on the shared topics: one file at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});

import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests start real servers (etcd, Consul, nginx, HAProxy) on free
// ports with their own temporary directories, so files can run side by side.
// Three at once on the 2-core machine CI runs on: with two, a quarter of the
// CPU sat idle while tests waited on timers, time limits and servers (the
// suite took 545 s against 434 s with three); every bound a test asserts on
// time is measured against a baseline taken in the same run or is generous
// enough for a loaded machine.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The systemd container tests have their own config (npm test runs both).
    exclude: [...configDefaults.exclude, 'test/system/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
    maxWorkers: 3,
    reporters: ['default'],
  },
});

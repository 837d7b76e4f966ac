import { configDefaults, defineConfig } from 'vitest/config';

// Integration tests start real servers (etcd, Consul, nginx, HAProxy); they
// run one file at a time on a 2-core machine so timings stay predictable.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The systemd container tests have their own config (npm test runs both).
    exclude: [...configDefaults.exclude, 'test/system/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});

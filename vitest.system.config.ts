import { defineConfig } from 'vitest/config';

// System tests boot a Debian container with systemd as PID 1 (systemd-nspawn,
// root only) and drive real units inside it; one file at a time, long deadlines.
export default defineConfig({
  test: {
    include: ['test/system/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    globalSetup: ['test/harness/run-tmpdir.ts'],
    reporters: ['default'],
  },
});

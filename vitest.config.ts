import { configDefaults, defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that take longest (1–3 minutes each, a run of their own cases one
// after the other) start first: left to vitest's order on a fresh clone
// (larger files first), the longest started a third of the way in and ran
// alone at the end. The rest keep vitest's order.
const LONGEST_FIRST = ['examples', 'hostile-templates', 'fleet-oracle-etcd', 'canary-e2e', 'etcd-failover', 'hostile-commands', 'consul-cluster', 'cli-watch-etcd'];
const rank = (spec: TestSpecification): number => {
  const at = LONGEST_FIRST.findIndex((name) => spec.moduleId.endsWith(`/${name}.test.ts`));
  return at < 0 ? LONGEST_FIRST.length : at;
};
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: LongestFirst },
    globalSetup: ['test/harness/run-tmpdir.ts'],
    reporters: ['default'],
  },
});

// Jest's own order (failed first, then slowest first), except that the secret-
// leak scan (test/leak) runs after everything else: it scans what the other
// tests left in Temporal, Kubernetes and the process logs.
const Sequencer = require('@jest/test-sequencer').default;

const isLast = (test) => /[\\/]test[\\/]leak[\\/]/.test(test.path);

class LeakScanLast extends Sequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    return [...sorted.filter((t) => !isLast(t)), ...sorted.filter(isLast)];
  }
}

module.exports = LeakScanLast;

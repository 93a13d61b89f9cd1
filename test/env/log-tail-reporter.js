// Prints the tail of every server log when a run has failures, so CI output
// shows what the servers said.
const fs = require('node:fs');

class LogTailReporter {
  onRunComplete(_contexts, results) {
    if (results.numFailedTests === 0 && results.numRuntimeErrorTestSuites === 0) return;
    const file = process.env.AIVENATOR_TEST_WORLD;
    if (!file || !fs.existsSync(file)) return;
    const { logFiles } = JSON.parse(fs.readFileSync(file, 'utf8'));
    for (const log of logFiles) {
      if (!fs.existsSync(log)) continue;
      const lines = fs.readFileSync(log, 'utf8').trimEnd().split('\n').slice(-30);
      process.stderr.write(`\n--- last lines of ${log} ---\n${lines.join('\n')}\n`);
    }
  }
}

module.exports = LogTailReporter;

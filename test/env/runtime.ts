// The Temporal Runtime is one per process: install it once, quietly.
import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

export function installTestRuntime(): void {
  if (installed) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier test file in this process.
  }
  installed = true;
}

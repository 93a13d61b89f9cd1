// The production entry points load no sandbox: the compiled CLI (as the image
// runs it) is required in a fresh Node process, and its module cache must
// hold nothing from src/fake-aiven or src/devworld and no ioredis; `dev`
// loads those by dynamic import.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { CLI_MAIN, ROOT, buildCli } from '../../env/processes';

jest.setTimeout(300_000);

/** Requires the given compiled modules (and runs `aivenator <args>` when given), then lists the module cache. */
function loadedModules(modules: string[], args?: string[]): { code?: number; out: string; modules: string[] } {
  const script = `
    for (const m of ${JSON.stringify(modules)}) require(m);
    const out = [];
    const io = { out: (t) => out.push(t), err: (t) => out.push(t), interactive: false };
    const args = ${JSON.stringify(args ?? null)};
    (args ? require(${JSON.stringify(CLI_MAIN)}).main(['node', 'aivenator', ...args], io) : Promise.resolve(undefined)).then((code) => {
      process.stdout.write(JSON.stringify({ code, out: out.join('\\n'), modules: Object.keys(require.cache) }));
    });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } }));
}

const SANDBOX = /[\\/](src[\\/](fake-aiven|devworld)|node_modules[\\/]ioredis)[\\/]/;

describe('production import graph', () => {
  beforeAll(() => buildCli());

  it('`aivenator --help` works and loads no sandbox module', () => {
    const run = loadedModules([CLI_MAIN], ['--help']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Usage: aivenator');
    expect(run.modules.filter((m) => SANDBOX.test(m))).toEqual([]);
  });

  it('the operator (run/worker/controller: serve, services, worker) and the tools load no sandbox module', () => {
    const dist = path.dirname(CLI_MAIN);
    const run = loadedModules([
      CLI_MAIN,
      path.join(dist, 'commands', 'run.js'),
      path.join(dist, 'serve.js'),
      path.join(dist, 'commands', 'status.js'),
      path.join(dist, 'commands', 'retry.js'),
      path.join(dist, 'commands', 'finalizer.js'),
      path.join(dist, 'commands', 'plan.js'),
    ]);
    const ours = run.modules.filter((m) => m.startsWith(path.join(ROOT, 'dist')));
    // A real check: the operator's own modules are there.
    expect(ours.some((m) => m.endsWith(path.join('runtime', 'services.js')))).toBe(true);
    expect(run.modules.filter((m) => SANDBOX.test(m))).toEqual([]);
  });

  it('`dev` is what loads the sandbox', () => {
    const run = loadedModules([path.join(path.dirname(CLI_MAIN), 'commands', 'dev.js')]);
    expect(run.modules.some((m) => /[\\/]src[\\/]fake-aiven[\\/]/.test(m))).toBe(true);
  });
});

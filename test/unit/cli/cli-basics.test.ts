// The CLI's own plumbing: argument parsing and exit codes, tables, text logs, app references.
import { main } from '../../../src/cli/main';
import { CliError, Io, age, outputFormat, parseAppRef } from '../../../src/cli/common';
import { renderTable } from '../../../src/cli/table';
import { formatTextLine } from '../../../src/cli/text-log';
import { loadRunConfig } from '../../../src/cli/commands/run';

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), interactive: false };
}

describe('aivenator main', () => {
  it('prints help with every command and exits 0', async () => {
    const io = capture();
    expect(await main(['node', 'aivenator', '--help'], io)).toBe(0);
    const help = io.stdout.join('\n');
    for (const cmd of ['run', 'controller', 'worker', 'dev', 'status', 'history', 'replay', 'retry', 'finalizer', 'plan', 'bundle']) expect(help).toMatch(new RegExp(`\\n  ${cmd}\\b`));
  });

  it('exits 2 on a usage error', async () => {
    const io = capture();
    expect(await main(['node', 'aivenator', 'status', '--output', 'yaml'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/Allowed choices are table, json/);
    expect(await main(['node', 'aivenator', 'history'], capture())).toBe(2);
  });

  it('exits 2 for a bad application reference and for replay without a source', async () => {
    const io = capture();
    expect(await main(['node', 'aivenator', 'history', 'no-slash'], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('expected <namespace>/<application> or -n <namespace> no-slash');
    const io2 = capture();
    expect(await main(['node', 'aivenator', 'replay'], io2)).toBe(2);
    expect(io2.stderr.join('\n')).toContain('exactly one of');
  });

  it('needs the Aiven token to run a worker (exit 2), but not to run the controller', () => {
    expect(() => loadRunConfig('worker', {})).toThrow(expect.objectContaining({ exitCode: 2 }));
    expect(() => loadRunConfig('all', {})).toThrow(CliError);
    expect(loadRunConfig('controller', {}).aivenToken).toBe('');
    expect(() => loadRunConfig('controller', { AIVENATOR_SYNC_PERIOD: 'soon' })).toThrow(/duration/);
  });
});

describe('helpers', () => {
  it('renders kubectl-like tables, cutting long cells', () => {
    const text = renderTable([{ a: 'x', b: 'a long value that goes on' }, { a: 'longer', b: 'y' }], [
      { header: 'Name', value: (r) => r.a },
      { header: 'Value', value: (r) => r.b, max: 10 },
    ]);
    expect(text.split('\n')).toEqual(['NAME     VALUE', 'x        a long va…', 'longer   y']);
  });

  it('turns pino JSON into one text line with the fields', () => {
    const line = formatTextLine(JSON.stringify({ level: 'info', time: '2026-01-01T00:00:00.000Z', component: 'activities', msg: 'wrote Secret', secret_name: 'app-kafka', team: 'ns', note: 'two words' }));
    expect(line).toBe('[2026-01-01T00:00:00.000Z] INFO: [activities] wrote Secret {"secret_name":"app-kafka","team":"ns","note":"two words"}');
    expect(formatTextLine('not json')).toBe('not json');
  });

  it('parses namespace/app references', () => {
    expect(parseAppRef('team-a/my-app')).toEqual({ namespace: 'team-a', name: 'my-app' });
    expect(() => parseAppRef('Team/x')).toThrow(CliError);
    expect(() => parseAppRef('a/b/c')).toThrow(CliError);
  });

  it('shows ages as kubectl does and validates --output', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    expect(age('2026-01-01T00:59:30Z', now)).toBe('30s');
    expect(age('2026-01-01T00:30:00Z', now)).toBe('30m');
    expect(age(undefined, now)).toBe('-');
    expect(outputFormat('json')).toBe('json');
    expect(() => outputFormat('xml')).toThrow(CliError);
  });
});

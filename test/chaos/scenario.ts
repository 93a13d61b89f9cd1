// Sizes of the chaos suite: a short form inside `npm test`, the long form with
// `npm run test:chaos` (AIVENATOR_CHAOS=long). Each size can be overridden.
export const LONG = process.env.AIVENATOR_CHAOS === 'long';

function num(name: string, short: number, long: number): number {
  const v = process.env[name];
  return v !== undefined && v !== '' ? Number(v) : LONG ? long : short;
}

export const sizes = {
  /** Applications converging while the worker is SIGKILLed. */
  killApps: num('AIVENATOR_CHAOS_APPS', 40, 200),
  kills: num('AIVENATOR_CHAOS_KILLS', 3, 24),
  /** Seconds between a (re)start of the worker and its next SIGKILL: uniform in [min, max]. */
  killMinS: num('AIVENATOR_CHAOS_KILL_MIN_S', 2, 2),
  killMaxS: num('AIVENATOR_CHAOS_KILL_MAX_S', 8, 12),
  /** Applications per phase of the Temporal / kube-apiserver restart test. */
  restartApps: num('AIVENATOR_CHAOS_RESTART_APPS', 8, 40),
  restarts: num('AIVENATOR_CHAOS_RESTARTS', 1, 3),
  /** Applications converging against an Aiven with 30% 5xx and 429 bursts. */
  faultApps: num('AIVENATOR_CHAOS_FAULT_APPS', 20, 120),
  /** Seconds Aiven misbehaves before it recovers; 0: until every application converged. */
  faultStormS: num('AIVENATOR_CHAOS_FAULT_STORM_S', 60, 0),
  seed: num('AIVENATOR_CHAOS_SEED', Date.now() % 1_000_000, Date.now() % 1_000_000),
};

/** Per-test timeouts: generous, the machine is small and shared. */
export const timeouts = {
  converge: num('AIVENATOR_CHAOS_CONVERGE_MIN', 6, 25) * 60_000,
  test: (num('AIVENATOR_CHAOS_CONVERGE_MIN', 6, 25) + 10) * 60_000,
};

export function report(line: string): void {
  process.stdout.write(`chaos: ${line}\n`);
}

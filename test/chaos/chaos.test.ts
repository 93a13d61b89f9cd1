// The chaos suite (scenarios.ts): the worker SIGKILLed at random moments,
// Temporal and the kube-apiserver restarted mid-run, Aiven answering 30% 5xx
// and bursts of 429. The short form (in `npm test`) runs the three scenarios
// at the same time, so their waits overlap; the long form (`npm run
// test:chaos`, AIVENATOR_CHAOS=long) runs them one after the other at full size.
import { buildCli } from '../env/processes';
import { LONG, report, sizes, timeouts } from './scenario';
import { ScenarioResult, faultScenario, killScenario, restartScenario } from './scenarios';

jest.setTimeout(timeouts.test);

const scenarios = { kills: killScenario, restarts: restartScenario, faults: faultScenario };
type Name = keyof typeof scenarios;
const running = new Map<Name, Promise<ScenarioResult>>();

function start(name: Name): Promise<ScenarioResult> {
  if (!running.has(name)) running.set(name, scenarios[name]().catch((err: unknown) => ({ figures: [], problems: [`scenario failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`] })));
  return running.get(name)!;
}

describe(`chaos (${LONG ? 'long' : 'short'} form)`, () => {
  beforeAll(() => {
    buildCli();
    report(`${LONG ? 'long' : 'short'} form, seed ${sizes.seed}: ${JSON.stringify(sizes)}`);
    if (!LONG) for (const name of Object.keys(scenarios) as Name[]) void start(name);
  }, 120_000);

  it(`converges ${sizes.killApps} applications through ${sizes.kills} SIGKILLs of the worker`, async () => {
    expect((await start('kills')).problems).toEqual([]);
  });

  it(`converges applications created and changed around ${sizes.restarts} restart(s) of Temporal and of the kube-apiserver`, async () => {
    expect((await start('restarts')).problems).toEqual([]);
  });

  it(`converges ${sizes.faultApps} applications against an Aiven answering 30% 5xx and bursts of 429`, async () => {
    expect((await start('faults')).problems).toEqual([]);
  });
});

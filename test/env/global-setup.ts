// Starts the test world once per Jest run, bundles the workflow code once,
// and tells the tests where both are.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startWorld, RunningWorld } from '../../src/devworld/world';
import { bundleWorkflows } from '../../worker/worker';
import { TestWorld, WORLD_ENV } from './world';

declare global {
  // eslint-disable-next-line no-var
  var __AIVENATOR_WORLD__: RunningWorld | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const [world, bundle] = await Promise.all([startWorld(), bundleWorkflows()]);
  globalThis.__AIVENATOR_WORLD__ = world;
  const workflowBundlePath = path.join(world.info.dir, 'workflow-bundle.js');
  fs.writeFileSync(workflowBundlePath, bundle.code);
  const info: TestWorld = { ...world.info, workflowBundlePath };
  const file = path.join(world.info.dir, 'world.json');
  fs.writeFileSync(file, JSON.stringify(info, null, 2));
  process.env[WORLD_ENV] = file;
  const { kafka, redis } = world.info;
  const extras = [kafka && `kafka ${kafka.version} in ${kafka.startupMs} ms`, redis && `redis ${redis.version} in ${redis.startupMs} ms`].filter(Boolean);
  process.stdout.write(`\ntest world up in ${Date.now() - started} ms${extras.length ? ` (${extras.join(', ')})` : ''} (${world.info.dir})\n`);
}

// Starts the test world once per Jest run and tells the tests where it is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startWorld, RunningWorld } from '../../src/devworld/world';
import { WORLD_ENV } from './world';

declare global {
  // eslint-disable-next-line no-var
  var __AIVENATOR_WORLD__: RunningWorld | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const world = await startWorld();
  globalThis.__AIVENATOR_WORLD__ = world;
  const file = path.join(world.info.dir, 'world.json');
  fs.writeFileSync(file, JSON.stringify(world.info, null, 2));
  process.env[WORLD_ENV] = file;
  process.stdout.write(`\ntest world up in ${Date.now() - started} ms (${world.info.dir})\n`);
}

// `aivenator plan <file.yaml>`: what the manifests would make Aivenator do.
import * as fs from 'node:fs';
import { CliError, ExitCode, Io, json, outputFormat, toolConfig } from '../common';
import { PlanInputError, parseManifests, planApp, renderPlan } from '../plan';

export interface PlanFlags {
  output?: string;
  namespace?: string;
  generation?: string;
  projects?: string;
  mainProject?: string;
}

export async function planCommand(file: string, flags: PlanFlags, io: Io): Promise<number> {
  const format = outputFormat(flags.output);
  const config = toolConfig({});
  let text: string;
  try {
    text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, ExitCode.Config);
  }
  let parsed;
  try {
    parsed = parseManifests(text);
  } catch (err) {
    if (err instanceof PlanInputError) throw new CliError(`${file}: ${err.message}`, ExitCode.Config);
    throw err;
  }
  const generation = flags.generation === undefined ? undefined : Number(flags.generation);
  if (generation !== undefined && !Number.isInteger(generation)) throw new CliError('--generation must be a whole number', ExitCode.Config);
  const plans = parsed.apps.map((app) =>
    planApp(app, {
      projects: flags.projects ? flags.projects.split(/[\s,]+/).filter(Boolean) : config.projects,
      mainProject: flags.mainProject ?? config.mainProject,
      defaultNamespace: flags.namespace ?? 'default',
      generation,
    }),
  );
  if (format === 'json') {
    io.out(json({ applications: plans, skipped: parsed.skipped }));
  } else {
    if (plans.length === 0) io.out(`No AivenApplications in ${file}.`);
    else io.out(renderPlan(plans));
    if (parsed.skipped.length > 0) io.err(`skipped ${parsed.skipped.length} other object(s): ${parsed.skipped.join(', ')}`);
  }
  // Exit 1 when an application could not be synchronised, so CI can gate on it.
  return plans.some((p) => p.problems.length > 0) ? ExitCode.Failure : ExitCode.Ok;
}

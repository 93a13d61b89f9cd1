// Runtime knobs that make the fake misbehave on purpose: latency, rate limiting,
// 429 bursts, injected 5xx (random by seeded PRNG, or per operation) and the
// per-service user limit. Decisions are made per /v1 request by `admit`.

import { FakeHttpError, badRequest, rateLimitMessage } from './errors';
import { isRecord } from './http-util';
import { OPERATION_NAMES, type FakeAivenKnobs, type FakeAivenKnobsPatch, type OperationFault, type OperationName } from './types';
import { mulberry32 } from '../seeded-random';

export const DEFAULT_KNOBS: FakeAivenKnobs = {
  latencyMs: 0,
  rateLimit: null,
  burst429: 0,
  burst429RetryAfterSeconds: 1,
  retryAfterHeader: false,
  faultFraction: 0,
  faultSeed: 1,
  faultStatus: 500,
  faultOperations: null,
  operationFaults: {},
  serviceUserLimit: null,
  kafkaKeyPoolSize: 0,
  conflictMessage: null,
  notFoundAfterCreate: 0,
  emptyPasswordAnswers: 0,
  emptyPasswordValue: 'empty',
  caBundle: false,
  forbidSecrets: false,
  forbiddenProjects: [],
  emptyDeleteStatus: null,
};

/** Limit shown in burst-429 messages when no rate limit is configured (the value in the real 2021 body). */
const BURST_DISPLAY_LIMIT = 120;

function isOperation(name: string): name is OperationName {
  return (OPERATION_NAMES as readonly string[]).includes(name);
}

export interface Admission {
  /** A fault to answer after the operation has been applied (phase "after"). */
  afterFault?: FakeHttpError;
}

export class Knobs {
  private state: FakeAivenKnobs = structuredClone(DEFAULT_KNOBS);
  private rng = mulberry32(DEFAULT_KNOBS.faultSeed);
  private window = { start: 0, count: 0 };

  constructor(initial?: FakeAivenKnobsPatch) {
    if (initial) this.apply(initial);
  }

  get(): FakeAivenKnobs {
    return structuredClone(this.state);
  }

  reset(): FakeAivenKnobs {
    this.state = structuredClone(DEFAULT_KNOBS);
    this.rng = mulberry32(this.state.faultSeed);
    this.window = { start: 0, count: 0 };
    return this.get();
  }

  /** Validates the whole patch first, so a bad patch changes nothing. */
  apply(patch: FakeAivenKnobsPatch): FakeAivenKnobs {
    const next = structuredClone(this.state);
    const p = patch as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!(key in DEFAULT_KNOBS)) throw badRequest(`unknown knob ${key}`);
    }
    const nonNegative = (key: keyof FakeAivenKnobs): number | undefined => {
      const v = p[key];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw badRequest(`${key} must be a number >= 0`);
      return v;
    };
    next.latencyMs = nonNegative('latencyMs') ?? next.latencyMs;
    next.burst429 = nonNegative('burst429') ?? next.burst429;
    next.burst429RetryAfterSeconds = nonNegative('burst429RetryAfterSeconds') ?? next.burst429RetryAfterSeconds;
    next.faultSeed = nonNegative('faultSeed') ?? next.faultSeed;
    next.kafkaKeyPoolSize = Math.floor(nonNegative('kafkaKeyPoolSize') ?? next.kafkaKeyPoolSize);
    const fraction = nonNegative('faultFraction');
    if (fraction !== undefined && fraction > 1) throw badRequest('faultFraction must be between 0 and 1');
    next.faultFraction = fraction ?? next.faultFraction;
    if (p.faultStatus !== undefined) next.faultStatus = validStatus(p.faultStatus, 'faultStatus');
    if (p.retryAfterHeader !== undefined) {
      if (typeof p.retryAfterHeader !== 'boolean') throw badRequest('retryAfterHeader must be a boolean');
      next.retryAfterHeader = p.retryAfterHeader;
    }
    if (p.rateLimit !== undefined) next.rateLimit = validRateLimit(p.rateLimit);
    if (p.serviceUserLimit !== undefined) {
      next.serviceUserLimit = p.serviceUserLimit === null ? null : nonNegative('serviceUserLimit') ?? null;
    }
    next.notFoundAfterCreate = Math.floor(nonNegative('notFoundAfterCreate') ?? next.notFoundAfterCreate);
    next.emptyPasswordAnswers = Math.floor(nonNegative('emptyPasswordAnswers') ?? next.emptyPasswordAnswers);
    applyEdgeKnobs(p, next);
    if (p.faultOperations !== undefined) next.faultOperations = validOperationList(p.faultOperations);
    if (p.operationFaults !== undefined) {
      if (!isRecord(p.operationFaults)) throw badRequest('operationFaults must be an object');
      for (const [op, fault] of Object.entries(p.operationFaults)) {
        if (!isOperation(op)) throw badRequest(`unknown operation ${op}`);
        if (fault === null) delete next.operationFaults[op];
        else next.operationFaults[op] = validOperationFault(fault, op);
      }
    }
    // A new seed or fraction restarts the sequence so runs are reproducible.
    if (p.faultSeed !== undefined || p.faultFraction !== undefined) this.rng = mulberry32(next.faultSeed);
    if (p.rateLimit !== undefined) this.window = { start: 0, count: 0 };
    this.state = next;
    return this.get();
  }

  latencyMs(): number {
    return this.state.latencyMs;
  }

  kafkaKeyPoolSize(): number {
    return this.state.kafkaKeyPoolSize;
  }

  /** The rough-edge knobs, read by the API handlers. */
  edges(): Pick<FakeAivenKnobs, 'conflictMessage' | 'notFoundAfterCreate' | 'emptyPasswordAnswers' | 'emptyPasswordValue' | 'caBundle' | 'forbidSecrets' | 'forbiddenProjects' | 'emptyDeleteStatus'> {
    const s = this.state;
    return {
      conflictMessage: s.conflictMessage,
      notFoundAfterCreate: s.notFoundAfterCreate,
      emptyPasswordAnswers: s.emptyPasswordAnswers,
      emptyPasswordValue: s.emptyPasswordValue,
      caBundle: s.caBundle,
      forbidSecrets: s.forbidSecrets,
      forbiddenProjects: [...s.forbiddenProjects],
      emptyDeleteStatus: s.emptyDeleteStatus,
    };
  }

  serviceUserLimit(serviceOverride: number | null | undefined): number | null {
    return serviceOverride === undefined ? this.state.serviceUserLimit : serviceOverride;
  }

  /** Decides the fate of one authenticated, routed /v1 request; throws the error to answer. */
  admit(operation: OperationName, now: number = Date.now()): Admission {
    const s = this.state;
    if (s.rateLimit) {
      const { limit, windowMs } = s.rateLimit;
      if (now - this.window.start >= windowMs) this.window = { start: now, count: 0 };
      if (this.window.count >= limit) {
        const seconds = Math.max(1, Math.ceil((this.window.start + windowMs - now) / 1000));
        throw this.tooManyRequests(limit, seconds);
      }
      this.window.count++;
    }
    if (s.burst429 > 0) {
      s.burst429--;
      throw this.tooManyRequests(s.rateLimit?.limit ?? BURST_DISPLAY_LIMIT, s.burst429RetryAfterSeconds);
    }
    const fault = s.operationFaults[operation];
    if (fault) {
      if (fault.remaining !== undefined && fault.remaining !== null) {
        fault.remaining--;
        if (fault.remaining <= 0) delete s.operationFaults[operation];
      }
      const error = new FakeHttpError(fault.status ?? 500, fault.message ?? `Internal server error (injected fault in ${operation})`);
      if (fault.phase === 'after') return { afterFault: error };
      throw error;
    }
    if (s.faultFraction > 0 && (s.faultOperations === null || s.faultOperations.includes(operation))) {
      if (this.rng() < s.faultFraction) {
        throw new FakeHttpError(s.faultStatus, `Internal server error (injected fault in ${operation})`);
      }
    }
    return {};
  }

  private tooManyRequests(limit: number, seconds: number): FakeHttpError {
    const headers: Record<string, string> = this.state.retryAfterHeader ? { 'Retry-After': String(seconds) } : {};
    return new FakeHttpError(429, rateLimitMessage(limit, seconds), undefined, headers);
  }
}

function applyEdgeKnobs(p: Record<string, unknown>, next: FakeAivenKnobs): void {
  const bool = (key: 'caBundle' | 'forbidSecrets'): void => {
    if (p[key] === undefined) return;
    if (typeof p[key] !== 'boolean') throw badRequest(`${key} must be a boolean`);
    next[key] = p[key];
  };
  bool('caBundle');
  bool('forbidSecrets');
  if (p.conflictMessage !== undefined) {
    if (p.conflictMessage !== null && typeof p.conflictMessage !== 'string') throw badRequest('conflictMessage must be a string or null');
    next.conflictMessage = p.conflictMessage;
  }
  if (p.emptyPasswordValue !== undefined) {
    if (p.emptyPasswordValue !== 'empty' && p.emptyPasswordValue !== 'null') throw badRequest('emptyPasswordValue must be empty or null');
    next.emptyPasswordValue = p.emptyPasswordValue;
  }
  if (p.emptyDeleteStatus !== undefined) {
    if (p.emptyDeleteStatus !== null && p.emptyDeleteStatus !== 200 && p.emptyDeleteStatus !== 204) throw badRequest('emptyDeleteStatus must be 200, 204 or null');
    next.emptyDeleteStatus = p.emptyDeleteStatus;
  }
  if (p.forbiddenProjects !== undefined) {
    const v = p.forbiddenProjects;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest('forbiddenProjects must be an array of project names');
    next.forbiddenProjects = [...(v as string[])];
  }
}

function validStatus(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 400 || v > 599) {
    throw badRequest(`${name} must be an HTTP error status (400-599)`);
  }
  return v;
}

function validRateLimit(v: unknown): FakeAivenKnobs['rateLimit'] {
  if (v === null) return null;
  if (!isRecord(v)) throw badRequest('rateLimit must be {limit, windowMs} or null');
  const { limit, windowMs } = v;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0) throw badRequest('rateLimit.limit must be an integer >= 0');
  if (typeof windowMs !== 'number' || windowMs <= 0) throw badRequest('rateLimit.windowMs must be > 0');
  return { limit, windowMs };
}

function validOperationList(v: unknown): OperationName[] | null {
  if (v === null) return null;
  if (!Array.isArray(v)) throw badRequest('faultOperations must be an array or null');
  return v.map((op: unknown) => {
    if (typeof op !== 'string' || !isOperation(op)) throw badRequest(`unknown operation ${String(op)}`);
    return op;
  });
}

function validOperationFault(v: unknown, op: string): OperationFault {
  if (!isRecord(v)) throw badRequest(`operationFaults.${op} must be an object or null`);
  const fault: OperationFault = {};
  if (v.status !== undefined) fault.status = validStatus(v.status, `operationFaults.${op}.status`);
  if (v.remaining !== undefined && v.remaining !== null) {
    if (typeof v.remaining !== 'number' || !Number.isInteger(v.remaining) || v.remaining < 1) {
      throw badRequest(`operationFaults.${op}.remaining must be an integer >= 1 or null`);
    }
    fault.remaining = v.remaining;
  }
  if (v.phase !== undefined) {
    if (v.phase !== 'before' && v.phase !== 'after') throw badRequest(`operationFaults.${op}.phase must be before or after`);
    fault.phase = v.phase;
  }
  if (v.message !== undefined) {
    if (typeof v.message !== 'string') throw badRequest(`operationFaults.${op}.message must be a string`);
    fault.message = v.message;
  }
  return fault;
}

// Eventual consistency of the real API (aiven-api.md §1, aiven-operator comments):
// right after a create a user can read as 404, and right after a create or a
// password change its password can be empty. The knobs set how many answers
// per user still show that; each such answer uses one up.

import type { ServiceUser } from '../aiven/types';
import type { UserRecord } from './credentials';
import type { FakeAivenKnobs } from './types';
import { REDACTED } from './views';

type LagKnobs = Pick<FakeAivenKnobs, 'notFoundAfterCreate' | 'emptyPasswordAnswers'>;

/** A create: both kinds of lag, as the knobs say. */
export function lagAfterCreate(user: UserRecord, knobs: LagKnobs): void {
  if (knobs.notFoundAfterCreate > 0 || knobs.emptyPasswordAnswers > 0) {
    user.lag = { notFoundReads: knobs.notFoundAfterCreate, emptyPasswordAnswers: knobs.emptyPasswordAnswers };
  }
}

/** A password change (reset): the new password may read as empty for a while. */
export function lagAfterReset(user: UserRecord, knobs: LagKnobs): void {
  if (knobs.emptyPasswordAnswers > 0) {
    user.lag = { notFoundReads: user.lag?.notFoundReads ?? 0, emptyPasswordAnswers: knobs.emptyPasswordAnswers };
  }
}

/** True when this read must answer 404 (and uses one up). */
export function readsAsMissing(user: UserRecord): boolean {
  if (!user.lag || user.lag.notFoundReads <= 0) return false;
  user.lag.notFoundReads--;
  return true;
}

/** Blanks the password of an answer while the lag lasts; redacted answers do not count. */
export function withLaggedPassword(view: ServiceUser, user: UserRecord, value: 'empty' | 'null'): ServiceUser {
  if (!user.lag || user.lag.emptyPasswordAnswers <= 0 || view.password === REDACTED) return view;
  user.lag.emptyPasswordAnswers--;
  // The real API has been seen answering null as well as "" (public client code checks both).
  return { ...view, password: (value === 'null' ? null : '') as string };
}

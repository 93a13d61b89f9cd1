// One janitor schedule per task queue and watch scope: controllers with
// different --watch-namespace on one queue must not overwrite each other's.
import { janitorScheduleId } from '../../../src/runtime/janitor-schedule';

it('names the task queue and the watch scope', () => {
  expect(janitorScheduleId('aivenator')).toBe('aivenator-janitor/aivenator/cluster');
  expect(janitorScheduleId('aivenator', 'orders')).toBe('aivenator-janitor/aivenator/ns/orders');
  const ids = new Set([janitorScheduleId('q'), janitorScheduleId('q', 'orders'), janitorScheduleId('q', 'analytics'), janitorScheduleId('other', 'orders')]);
  expect(ids.size).toBe(4);
});

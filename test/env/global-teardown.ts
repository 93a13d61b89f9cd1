// Stops every server the global setup started.
export default async function globalTeardown(): Promise<void> {
  await globalThis.__AIVENATOR_WORLD__?.stop();
}

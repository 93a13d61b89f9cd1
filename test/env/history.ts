// Everything a workflow history says, as searchable text: payloads are bytes
// (JSON-encoded values), so they are decoded rather than left as base64.
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (value === null || value === undefined) return;
    // ArrayBuffer.isView, not instanceof: Jest runs tests in another realm than the SDK's.
    if (ArrayBuffer.isView(value)) {
      parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
    } else if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        parts.push(key);
        walk(child);
      }
    } else {
      parts.push(String(value));
    }
  };
  walk(history);
  return parts.join('\n');
}

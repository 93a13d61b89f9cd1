// Live progress on stderr for long operations: rewritten in place on a
// terminal, one line per step (at most every few seconds) otherwise.
import type { Io } from './common';

export interface Progress {
  update(done: number, total: number | undefined, what?: string): void;
  done(summary?: string): void;
}

export function progress(io: Io, label: string): Progress {
  let lastLine = 0;
  let shown = false;
  return {
    update(done, total, what) {
      const text = `${label}: ${done}${total === undefined ? '' : `/${total}`}${what ? ` ${what}` : ''}`;
      if (io.interactive) {
        process.stderr.write(`\r\x1b[K${bar(done, total)}${text}`);
        shown = true;
      } else if (Date.now() - lastLine > 2000 || done === total) {
        io.err(text);
        lastLine = Date.now();
      }
    },
    done(summary) {
      if (io.interactive && shown) process.stderr.write('\r\x1b[K');
      if (summary) io.err(summary);
    },
  };
}

function bar(done: number, total: number | undefined): string {
  if (!total) return '';
  const width = 20;
  const filled = Math.round((Math.min(done, total) / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] `;
}

// Captures what a command prints on stdout (the `--json` document goes straight to process.stdout.write,
// src/cli/command.ts). The test runner's own binary messages to its parent pass through.
export function captureStdout(): { text: () => string; clear: () => void; restore: () => void } {
  const chunks: string[] = [];
  const orig = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) =>
    typeof chunk === 'string'
      ? chunks.push(chunk) > 0
      : (orig as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest)) as typeof process.stdout.write;
  return {
    text: () => chunks.join(''),
    clear: () => void (chunks.length = 0),
    restore: () => void (process.stdout.write = orig),
  };
}

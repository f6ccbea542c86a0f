// Progress bars for long work (cli-progress), silent when output is not a terminal or when --json is set.
import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, payload?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number, opts: { enabled?: boolean; format?: string } = {}): Progress {
  const enabled = opts.enabled ?? (process.stderr.isTTY === true && !process.env.GE4REC_NO_PROGRESS);
  if (!enabled) return { update() {}, setTotal() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: opts.format ?? `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {info}`,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  return {
    update: (v, payload) => bar.update(v, payload),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}

// Progress of long work on stderr: a cli-progress bar when stderr is a terminal, else one line per phase when it ends
// (logs and CI keep a record of every phase's size and speed); nothing with --json or GE4REC_NO_PROGRESS=1.
import cliProgress from 'cli-progress';

export interface Progress {
  /** `value` in the bar's unit (rows, bytes, ...); `fields` replace the extra fields' shown values. */
  update(value: number, fields?: Record<string, string | number>): void;
  setTotal(total: number): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  /** false: silent (--json); true: a bar or lines as the terminal allows; default: the same unless GE4REC_NO_PROGRESS. */
  enabled?: boolean;
  /** Forces a mode (tests). */
  mode?: ProgressMode;
  /** What `value` counts: shown after the counts and in the rate ("rows" -> "rows/s"). */
  unit?: string;
  /** Extra fields shown after the rate, with the value shown before the first update (e.g. { loss: '-' }). */
  fields?: Record<string, string | number>;
  /** Where it is written (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Lines mode: phases shorter than this print nothing (default 2 s). */
  minLineSeconds?: number;
}

/** The mode a phase gets: off with --json or GE4REC_NO_PROGRESS, a bar on a terminal, lines otherwise. */
export function progressMode(opts: Pick<ProgressOptions, 'enabled' | 'mode' | 'stream'> = {}): ProgressMode {
  if (opts.mode) return opts.mode;
  if (opts.enabled === false) return 'off';
  if (opts.enabled === undefined && process.env.GE4REC_NO_PROGRESS) return 'off';
  return (opts.stream ?? process.stderr).isTTY === true ? 'bar' : 'lines';
}

/** 1234567 -> "1.23 M", 5120 -> "5,120": counts and rates that stay short. */
export function formatCount(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e9) return `${(x / 1e9).toFixed(2)} G`;
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  return Math.round(x).toLocaleString('en-US');
}

/** A rate that stays readable for slow units too: 5,120 rows/s, 2.5 runs/s, 14.0 runs/min ('-' before any). */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return `- ${unit}/s`;
  if (perSecond < 1) return `${(perSecond * 60).toFixed(1)} ${unit}/min`;
  if (perSecond < 10) return `${perSecond.toFixed(1)} ${unit}/s`;
  return `${formatCount(perSecond)} ${unit}/s`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The text of one frame (and of the line a phase prints in lines mode). Every field has a value from the start. */
export function progressLine(
  label: string,
  s: { value: number; total: number; seconds: number; unit: string; fields: Record<string, string | number> },
  barText?: string,
): string {
  const rate = s.seconds > 0 && s.value > 0 ? s.value / s.seconds : NaN;
  const counts = `${formatCount(s.value)}/${formatCount(s.total)} ${s.unit}`;
  const extra = Object.entries(s.fields).map(([k, v]) => ` | ${k} ${v}`).join('');
  if (barText === undefined) return `${label}: ${counts} in ${formatDuration(s.seconds)} | ${formatRate(rate, s.unit)}${extra}`;
  const pct = s.total > 0 ? Math.min(100, Math.floor((100 * s.value) / s.total)) : 0;
  const eta = Number.isFinite(rate) && s.total > s.value ? formatDuration((s.total - s.value) / rate) : s.total > 0 && s.value >= s.total ? '0 s' : '-';
  return `${label} [${barText}] ${String(pct).padStart(3)}% | ${counts} | ${formatRate(rate, s.unit)}${extra} | ETA ${eta}`;
}

export function progressBar(label: string, total: number, opts: ProgressOptions = {}): Progress {
  const mode = progressMode(opts);
  if (mode === 'off') return { update() {}, setTotal() {}, stop() {} };
  const unit = opts.unit ?? 'rows';
  const stream = opts.stream ?? process.stderr;
  const state = { value: 0, total, seconds: 0, unit, fields: { ...(opts.fields ?? {}) } };
  const t0 = performance.now();
  const tick = (value: number, fields?: Record<string, string | number>) => {
    state.value = value;
    state.seconds = (performance.now() - t0) / 1000;
    if (fields) Object.assign(state.fields, fields);
  };
  let stopped = false;

  if (mode === 'lines') {
    const minSeconds = opts.minLineSeconds ?? 2;
    return {
      update: tick,
      setTotal: (t) => void (state.total = t),
      stop: () => {
        if (stopped) return;
        stopped = true;
        state.seconds = (performance.now() - t0) / 1000;
        if (state.seconds >= minSeconds) stream.write(`${progressLine(label, state)}\n`);
      },
    };
  }

  const bar = new cliProgress.SingleBar(
    {
      stream,
      hideCursor: true,
      barsize: 24,
      // The whole frame is ours: the rate, ETA and extra fields have values from the first frame on.
      format: (options, params) => {
        const size = options.barsize ?? 24;
        const done = Math.round(params.progress * size);
        const barText = (options.barCompleteString ?? '').slice(0, done) + (options.barIncompleteString ?? '').slice(0, size - done);
        return progressLine(label, state, barText);
      },
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0);
  return {
    update: (v, fields) => {
      tick(v, fields);
      bar.update(v);
    },
    setTotal: (t) => {
      state.total = t;
      bar.setTotal(Math.max(t, 1));
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      state.seconds = (performance.now() - t0) / 1000;
      bar.update(state.value);
      bar.stop();
    },
  };
}

// Peak resident memory over a window of time. process.resourceUsage().maxRSS is the whole process's peak, so a
// GEN run after a DIS run in the same process would inherit the DIS peak; sampling gives each run its own.
export class RssSampler {
  private peak = 0;
  private timer: NodeJS.Timeout;
  constructor(intervalMs = 100) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }
  sample(): number {
    const r = process.memoryUsage.rss();
    if (r > this.peak) this.peak = r;
    return r;
  }
  /** Peak RSS in MiB since construction (sampled now as well). */
  get peakMb(): number {
    this.sample();
    return this.peak / 1048576;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

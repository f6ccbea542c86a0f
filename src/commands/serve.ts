// `ge4rec serve`: a finished run's model behind HTTP.
import { Flags } from '@oclif/core';
import { Ge4recCommand } from '../cli/command.js';
import { openDeployedRun } from '../deploy/deployed-run.js';
import { SERVE_DEFAULTS, startServer } from '../deploy/server.js';

export default class Serve extends Ge4recCommand<void> {
  static override summary = "Serve a finished run's model over HTTP.";
  static override description =
    'POST /predict takes a JSON array of raw rows (objects keyed by the raw column names, as in the dataset\'s CSV; a label ' +
    'is ignored) or one row, and answers {"probabilities": [...]} (or {"probability": p}). GET /health and GET /model ' +
    '(the model card: fields, vocabulary sizes, dataset, metrics). Concurrent requests are scored in one onnxruntime call ' +
    'of up to --max-batch rows, started when that many rows wait or after --max-wait-ms. Bad rows get a 400 naming the row ' +
    'and field; a body over --body-limit a 413. Stop with Ctrl-C.';
  static override examples = [
    '<%= config.bin %> serve --run results/synthetic-criteo/DCNv2/gen/seed-2021',
    '<%= config.bin %> serve --run results/criteo_x1/DCNv2/gen/seed-2021 --port 9000 --max-batch 8192 --max-wait-ms 5',
  ];

  static override flags = {
    run: Flags.string({ description: 'finished run folder (results/<dataset>/<model>/<dis|gen>/seed-<s>)', required: true }),
    port: Flags.integer({ description: 'TCP port (0: any free port)', default: SERVE_DEFAULTS.port, min: 0, max: 65535 }),
    host: Flags.string({ description: 'address to listen on', default: SERVE_DEFAULTS.host }),
    'max-batch': Flags.integer({ description: 'rows per onnxruntime call at most (a larger single request is scored alone)', default: SERVE_DEFAULTS.maxBatch, min: 1 }),
    'max-wait-ms': Flags.integer({ description: 'how long the first waiting request waits for others before the call starts', default: SERVE_DEFAULTS.maxWaitMs, min: 0 }),
    'body-limit': Flags.integer({ description: 'largest request body in bytes (larger: 413)', default: SERVE_DEFAULTS.bodyLimit, min: 1 }),
    device: Flags.string({ description: 'onnxruntime execution provider', options: ['cpu', 'cuda'], default: 'cpu' }),
    threads: Flags.integer({ description: 'CPU threads for onnxruntime (default: all cores)', min: 1 }),
    'data-dir': Flags.string({ description: "where the run's dataset is prepared, if it moved since training" }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const run = await openDeployedRun(flags.run, { device: flags.device as 'cpu' | 'cuda', threads: flags.threads, dataDir: flags['data-dir'] });
    const server = await startServer(run, {
      host: flags.host, port: flags.port, maxBatch: flags['max-batch'], maxWaitMs: flags['max-wait-ms'], bodyLimit: flags['body-limit'],
    });
    const c = run.card;
    // With --json the one document says where it listens, as soon as it does (the command runs until stopped).
    if (this.json) this.logJson({ url: server.url, model: c.model, paradigm: c.paradigm, dataset: c.dataset, seed: c.seed });
    else this.log(`serving ${c.model} ${c.paradigm.toUpperCase()} (${c.dataset}, seed ${c.seed}) on ${server.url}  (POST /predict, GET /health, GET /model)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(() => run.close()).then(resolve);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  }
}

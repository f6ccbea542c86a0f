// `ge4rec serve`: a finished run behind HTTP (fastify). POST /predict takes a JSON array of raw rows (objects keyed
// by the dataset's raw column names; the label may be present and is ignored) or one row, encodes them with the
// run's encoder and answers their probabilities; concurrent requests are scored together (batcher.ts).
// GET /health says it is up (and the batching counts), GET /model returns the model card.
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { LineFields } from '../data/csv.js';
import type { Batch } from '../data/types.js';
import { GE4REC_VERSION } from '../util/version.js';
import { Batcher } from './batcher.js';
import type { DeployedRun } from './deployed-run.js';
import { BatchSink, ValueLine } from './rows.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** Rows per onnxruntime call at most (a single larger request is scored alone). */
  maxBatch: number;
  /** How long the first queued request waits for others before its call starts. */
  maxWaitMs: number;
  /** Largest request body in bytes (larger: 413). */
  bodyLimit: number;
}

export const SERVE_DEFAULTS = { host: '127.0.0.1', port: 8080, maxBatch: 4096, maxWaitMs: 2, bodyLimit: 8 << 20 } as const;

/** A row the encoder refused: becomes a 400 naming the row, the field and the problem. */
class BadInput extends Error {}

export interface Server {
  app: FastifyInstance;
  url: string;
  batcher: Batcher;
  close(): Promise<void>;
}

export async function startServer(run: DeployedRun, opts: Partial<ServeOptions> = {}): Promise<Server> {
  const o: ServeOptions = { ...SERVE_DEFAULTS, ...opts };
  const spec = run.spec;
  // rows are encoded against the raw layout without the label: a label in a row is allowed and ignored
  const columns = spec.csvColumns.filter((c) => c !== spec.label);
  const allowed = new Set(spec.csvColumns);
  const line = new ValueLine(columns);
  const encode = run.encoder.lineEncoder(columns, 'request', (f: LineFields, problem: string) => {
    throw new BadInput(`row ${f.line}: ${problem}`);
  }, { labelOptional: true });
  const { numCat, numNum } = run.scorer;
  const batcher = new Batcher((b) => run.scorer.score(b), o.maxBatch, o.maxWaitMs, numCat, numNum);
  const started = Date.now();

  /** The request's rows as one encoded batch; throws BadInput. */
  const encodeRows = (rows: unknown[]): Batch => {
    const sink = new BatchSink(Math.max(rows.length, 1), numCat, numNum);
    rows.forEach((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r)) {
        throw new BadInput(`row ${i}: expected an object of column → value, got ${Array.isArray(r) ? 'an array' : r === null ? 'null' : typeof r}`);
      }
      const row = r as Record<string, unknown>;
      for (const k of Object.keys(row)) {
        if (!allowed.has(k)) throw new BadInput(`row ${i}: unknown column "${k}" (the model reads ${columns.join(', ')})`);
      }
      const problem = line.set(columns.map((c) => row[c]), i);
      if (problem) throw new BadInput(`row ${i}: ${problem}`);
      encode(line.fields, sink);
    });
    return sink.take();
  };

  const app = Fastify({ bodyLimit: o.bodyLimit, logger: false });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply: FastifyReply) => {
    const status = err instanceof BadInput ? 400 : err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    void reply.status(status).send({ error: status === 500 ? `internal error: ${err.message}` : err.message });
  });
  app.get('/health', async () => ({ status: 'ok', uptime_s: (Date.now() - started) / 1000, batching: { max_batch: o.maxBatch, max_wait_ms: o.maxWaitMs, ...batcher.stats } }));
  app.get('/model', async () => ({ ...run.card, served_by: `ge4rec ${GE4REC_VERSION}`, raw_columns: columns }));
  app.post('/predict', async (req, reply) => {
    const body = req.body;
    const one = body !== null && typeof body === 'object' && !Array.isArray(body);
    if (!one && !Array.isArray(body)) {
      return reply.status(400).send({ error: 'body: expected a JSON array of rows (objects of column → value) or one row' });
    }
    const rows = one ? [body] : (body as unknown[]);
    if (rows.length === 0) return { probabilities: [] };
    const p = await batcher.submit(encodeRows(rows));
    return one ? { probability: p[0] } : { probabilities: Array.from(p) };
  });

  const url = await app.listen({ host: o.host, port: o.port });
  return {
    app,
    url,
    batcher,
    close: async () => {
      batcher.close();
      await app.close();
    },
  };
}

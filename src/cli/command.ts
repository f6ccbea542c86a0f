// The base of every ge4rec command: one error boundary and one `--json` contract for all of them.
//
// Every command extends `Ge4recCommand` (not oclif's `Command`). It then gets:
// * `--json`: the value `run()` returns is printed as the one JSON document on stdout;
// * errors, in `--json` mode, as one JSON document on stdout, `{"error": {"message", "hint", "code", "kind"}}`, and the
//   process exits with `code`; in text mode as `Error: message` + hint on stderr, same exit status;
// * exit statuses: 0 done, 1 internal error (a bug: the text mode prints its stack), 2 bad usage or bad input
//   (a `UserError`, a bad flag; the message names the flag, file, line or key).
// A command throws `UserError(message, hint)` for anything the user can fix and never calls `this.error`/`this.exit`
// itself; while `--json` is on, stray console.log/info output goes to stderr so that stdout stays one document.
import { Command, Errors, Flags } from '@oclif/core';
import { UserError } from '../util/errors.js';

/** Why a command failed: `usage` (flags), `input` (files, data, configs), `internal` (a bug). */
export type FailureKind = 'usage' | 'input' | 'internal';

/** The `error` member of the JSON error document. */
export interface ErrorDocument {
  message: string;
  hint: string | null;
  /** The process's exit status. */
  code: number;
  kind: FailureKind;
}

export const EXIT = { ok: 0, internal: 1, usage: 2 } as const;

const HELP_TAIL = /\n?See more help with --help\s*$/;

/** Classifies anything a command can throw into the error document. */
export function describeError(err: unknown): ErrorDocument {
  if (err instanceof UserError) return { message: err.message, hint: err.hint ?? null, code: EXIT.usage, kind: 'input' };
  if (err instanceof Errors.ExitError) {
    const code = err.oclif.exit ?? EXIT.internal;
    return { message: `exited with status ${code}`, hint: null, code, kind: 'internal' };
  }
  if (err instanceof Errors.CLIError) {
    // oclif's own errors: flag parsing (exit 2) or `this.error` calls.
    const code = err.oclif?.exit ?? EXIT.usage;
    const helpful = HELP_TAIL.test(err.message);
    return {
      message: err.message.replace(HELP_TAIL, ''),
      hint: helpful ? 'see --help' : null,
      code,
      kind: code === EXIT.usage ? 'usage' : 'internal',
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message, hint: 'this is a bug in ge4rec; please report it with the command line that caused it', code: EXIT.internal, kind: 'internal' };
}

export abstract class Ge4recCommand<T = unknown> extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = {
    json: Flags.boolean({
      description: 'print one JSON document on stdout: the result, or {"error": {message, hint, code, kind}} with exit status code',
      helpGroup: 'GLOBAL',
    }),
  };

  private restoreConsole: (() => void) | undefined;

  /** True with `--json`: the command must then write nothing to stdout itself (return the data from run()). */
  protected get json(): boolean {
    return this.jsonEnabled();
  }

  /** Progress and log lines for a person: stderr, silent with `--json`. */
  protected note(message: string): void {
    if (!this.json) this.logToStderr(message);
  }

  abstract override run(): Promise<T>;

  override async init(): Promise<void> {
    await super.init();
    if (this.json) {
      const { log, info } = console;
      console.log = console.info = (...args: unknown[]) => console.error(...args);
      this.restoreConsole = () => {
        console.log = log;
        console.info = info;
      };
    }
  }

  /** The one document on stdout (plain JSON: console.log is sent to stderr while --json is on). */
  override logJson(json: unknown): void {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  }

  override async finally(err: Error | undefined): Promise<void> {
    this.restoreConsole?.();
    return super.finally(err);
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (err instanceof Errors.ExitError && (err.oclif.exit === 0 || !this.json)) throw err;
    const doc = describeError(err);
    if (this.json) {
      this.logJson({ error: doc });
      // oclif's handler exits with this status and prints nothing more (a caller of `Command.run` sees a rejection).
      throw new Errors.ExitError(doc.code);
    }
    // Text mode: oclif's handler prints a CLIError as `Error: message` and exits with its status, and anything else
    // (a bug) with its stack and status 1.
    if (doc.kind === 'input') throw new Errors.CLIError(doc.hint ? `${doc.message}\n${doc.hint}` : doc.message, { exit: doc.code });
    throw err;
  }
}

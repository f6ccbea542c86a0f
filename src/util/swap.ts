// Replacing a finished folder by a new one without a moment where neither is whole: the old folder is renamed aside
// (`<dir>.old-<pid>`), the new one renamed into place, then the old one deleted. A process killed between the two
// renames leaves `<dir>.old-<pid>` and no `<dir>`; `recoverSwap` (called before a folder is used) puts it back.
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Renames folder `built` to `dir`, replacing a folder already there. */
export function swapDir(built: string, dir: string): void {
  recoverSwap(dir);
  const old = `${dir}.old-${process.pid}`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  try {
    renameSync(built, dir);
  } catch (e) {
    if (existsSync(old) && !existsSync(dir)) renameSync(old, dir);
    throw e;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Undoes a swap cut short by a killed process: `<dir>.old-<pid>` of a dead process goes back to `<dir>` if missing. */
export function recoverSwap(dir: string): void {
  const parent = dirname(dir);
  if (!existsSync(parent)) return;
  const prefix = `${basename(dir)}.old-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (!Number.isInteger(pid) || isAlive(pid)) continue;
    const old = join(parent, name);
    if (!existsSync(dir)) renameSync(old, dir);
    else rmSync(old, { recursive: true, force: true });
  }
}

/** Whether process `pid` still runs (then its temporary files and folders are in use). */
export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

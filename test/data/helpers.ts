// Shared helpers for the data tests: temp folders and small CSVs.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export function tempDir(tag: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ge4rec-${tag}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeCsvs(dir: string, files: Record<string, string[]>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

export const CRITEO_HEADER = ['label', ...Array.from({ length: 13 }, (_, i) => `I${i + 1}`), ...Array.from({ length: 26 }, (_, i) => `C${i + 1}`)].join(',');

/** A Criteo x1 row: numerics default 0, categoricals default "1"; overrides by column name. */
export function criteoRow(label: number | string, over: Record<string, string | number> = {}): string {
  const cols = CRITEO_HEADER.split(',');
  return cols.map((c) => (c === 'label' ? String(label) : c in over ? String(over[c]) : c.startsWith('I') ? '0' : '1')).join(',');
}

export const AVAZU_HEADER =
  'id,click,hour,C1,banner_pos,site_id,site_domain,site_category,app_id,app_domain,app_category,device_id,device_ip,device_model,device_type,device_conn_type,C14,C15,C16,C17,C18,C19,C20,C21';

export function avazuRow(click: number, hour: string, over: Record<string, string> = {}): string {
  const cols = AVAZU_HEADER.split(',');
  return cols.map((c) => (c === 'id' ? '1000009418151094273' : c === 'click' ? String(click) : c === 'hour' ? hour : c in over ? over[c] : 'x')).join(',');
}

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MamoruError } from '../core/index.ts';
import type { ApiClient, Query } from './api-client.ts';
import { printJson } from './context.ts';

const MEDIA_TYPES = { csv: 'text/csv', jsonl: 'application/x-ndjson' } as const;

/** The format of an import file: `--format`, else from its name (`.csv`, `.jsonl`, `.ndjson`). */
export function importFormat(file: string, format: 'csv' | 'jsonl' | undefined): 'csv' | 'jsonl' {
  const chosen =
    format ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : undefined);
  if (chosen) return chosen;
  throw new MamoruError(
    'validation_failed',
    'ファイル名から形式が分かりません。--format csv|jsonl を指定してください / cannot tell the format from the file name: pass --format csv|jsonl',
    { issues: [{ path: '--format', message: 'required for this file name' }] },
  );
}

/**
 * A bulk import through the server (`intel import`, a channel's records
 * operation, in client mode): the file is streamed to the import route as it is read,
 * never held in memory here, with the bytes sent on stderr; the server's
 * answer (counts and the first rejections) on stdout; exit status 4 when any
 * line was rejected, as in direct mode.
 */
export async function uploadImport(
  api: ApiClient,
  route: string,
  file: string,
  format: 'csv' | 'jsonl' | undefined,
  query: Query = {},
): Promise<void> {
  const chosen = importFormat(file, format);
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new MamoruError(
      'validation_failed',
      `${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`,
      {
        issues: [{ path: 'file', message: 'cannot be read' }],
      },
    );
  }
  const tty = process.stderr.isTTY;
  let sent = 0;
  let shown = 0;
  const show = () => {
    const line = `送信中 / uploading: ${bytes(sent)} / ${bytes(size)}`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
  // Pulled a chunk at a time as the server reads: a file larger than memory never sits here.
  const chunks = createReadStream(file, { highWaterMark: 256 * 1024 })[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await chunks.next();
        if (next.done) {
          controller.close();
          return;
        }
        const chunk = next.value as Buffer;
        sent += chunk.length;
        // A line every 8 MiB when piped (a log stays short), every MiB on a terminal.
        if (sent - shown >= (tty ? 1 : 8) * 1024 * 1024) {
          shown = sent;
          show();
        }
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      },
      async cancel() {
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  const result = await api.request<{ rejected?: number; rejections?: unknown[]; importId?: string }>(
    'POST',
    route,
    {
      query,
      stream: body,
      contentType: MEDIA_TYPES[chosen],
    },
  );
  show();
  if (tty) process.stderr.write('\n');
  if (result?.importId && (result.rejected ?? 0) > (result.rejections?.length ?? 0)) {
    process.stderr.write(
      `拒否行の全件 / every rejected line: mamoru imports rejections ${result.importId}\n`,
    );
  }
  printJson(result);
  if ((result?.rejected ?? 0) > 0) process.exitCode = 4;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * The console's only way to the server: the public API under `/v1`, with the
 * signed-in key as a Bearer token (C4). Every route called here is in
 * `/openapi.json`, so whatever the console shows can be scripted too.
 *
 * The key lives in the tab's `sessionStorage` (gone when the tab closes) and in
 * memory — never in `localStorage`, cookies or any log.
 */

const KEY_SLOT = 'mamoru.apiKey';

let apiKey: string | null = readKey();

function readKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_SLOT);
  } catch {
    return null;
  }
}

export function currentKey(): string | null {
  return apiKey;
}

export function setKey(key: string | null): void {
  apiKey = key;
  try {
    if (key === null) sessionStorage.removeItem(KEY_SLOT);
    else sessionStorage.setItem(KEY_SLOT, key);
  } catch {
    // A browser that refuses storage keeps the key in memory only: a reload signs out.
  }
}

/** One field-level problem, as the API's RFC 9457 problem details list them. */
export interface ProblemIssue {
  readonly path: string;
  /** English. */
  readonly message: string;
  /** Japanese, when the API gives it. */
  readonly ja?: string;
}

/** An RFC 9457 problem from the API (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly issues: readonly ProblemIssue[];
  readonly code: string | undefined;

  constructor(status: number, body: Record<string, unknown> | null, fallback: string) {
    const title = typeof body?.title === 'string' ? body.title : fallback;
    const detail = typeof body?.detail === 'string' ? body.detail : undefined;
    super(detail ?? title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.code = typeof body?.code === 'string' ? body.code : undefined;
    // The API names the fields at fault in `errors` (its Problem schema); `issues` is the older name.
    const listed = Array.isArray(body?.errors) ? body.errors : Array.isArray(body?.issues) ? body.issues : [];
    this.issues = (listed as unknown[])
      .filter(isIssue)
      .map((i) => ({ path: i.path, message: i.message, ...(typeof i.ja === 'string' ? { ja: i.ja } : {}) }));
  }
}

function isIssue(value: unknown): value is ProblemIssue {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ProblemIssue).path === 'string' &&
    typeof (value as ProblemIssue).message === 'string'
  );
}

/** Called when the API says the key is no longer good (401): the session ends. */
let onUnauthenticated: () => void = () => {};
export function whenUnauthenticated(callback: () => void): void {
  onUnauthenticated = callback;
}

export type Query = Readonly<
  Record<string, string | number | boolean | readonly string[] | undefined | null>
>;

/** `/v1/cases` + `{status: ['open','in_review'], limit: 50}` → `/v1/cases?status=open&status=in_review&limit=50`. */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) params.append(name, v);
    else params.append(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly query?: Query;
  /** JSON body (objects) or a raw body with its own content type. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Use this key instead of the session's (sign-in checks a key before keeping it). */
  readonly key?: string;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const key = options.key ?? apiKey;
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let body: BodyInit | undefined;
  if (options.body !== undefined) {
    if (options.contentType) {
      headers['content-type'] = options.contentType;
      body = options.body as BodyInit;
    } else {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method: options.method ?? 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, null, 'network error');
  }
  if (!response.ok) {
    let problem: Record<string, unknown> | null = null;
    try {
      problem = (await response.json()) as Record<string, unknown>;
    } catch {
      problem = null;
    }
    if (response.status === 401 && options.key === undefined) onUnauthenticated();
    throw new ApiError(response.status, problem, response.statusText || `HTTP ${response.status}`);
  }
  return response;
}

/** A JSON request to the API; a non-2xx answer throws {@link ApiError}. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** The raw response (exports, NDJSON): the caller reads the body. */
export async function apiRaw(path: string, options: RequestOptions = {}): Promise<Response> {
  return send(path, options);
}

/**
 * Upload a file with progress (fetch has no upload progress; XMLHttpRequest does).
 * Resolves with the parsed JSON answer; a non-2xx answer rejects with {@link ApiError}.
 */
export function upload<T>(
  path: string,
  file: Blob,
  contentType: string,
  onProgress: (sent: number, total: number) => void,
  query?: Query,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(path, query));
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    if (apiKey) xhr.setRequestHeader('authorization', `Bearer ${apiKey}`);
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, null, 'network error'));
    xhr.onload = () => {
      let body: Record<string, unknown> | null = null;
      try {
        body = JSON.parse(xhr.responseText) as Record<string, unknown>;
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        if (xhr.status === 401) onUnauthenticated();
        reject(new ApiError(xhr.status, body, xhr.statusText || `HTTP ${xhr.status}`));
      }
    };
    xhr.send(file);
  });
}

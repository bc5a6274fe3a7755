/** The public HTTP API, and nothing else: every call carries the signed-in user's token. */
import { getAccessToken } from './auth.ts';
import { config } from './config.ts';

export interface ApiErrorItem {
  code: string;
  message: string;
  fields?: string[];
}

/** A refusal from the service: its own message is what the console shows. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errors: ApiErrorItem[],
  ) {
    super(errors.map((e) => e.message).join(' ') || `The service answered ${status}.`);
  }
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
  get fields(): string[] {
    return this.errors.flatMap((e) => e.fields ?? []);
  }
}

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = await getAccessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${config().apiUrl}/api/v1${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, [
      { code: 'network', message: 'The service could not be reached. Check your connection and try again.' },
    ]);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const errors = (parsed as { errors?: ApiErrorItem[] } | undefined)?.errors;
    // API Gateway's own 401 body is {"message":"Unauthorized"}.
    const fallback =
      (parsed as { message?: string } | undefined)?.message ?? `The service answered ${res.status}.`;
    throw new ApiError(
      res.status,
      errors?.length ? errors : [{ code: `http.${res.status}`, message: fallback }],
    );
  }
  return parsed as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body ?? {});
export const del = <T>(path: string, body?: unknown) => call<T>('DELETE', path, body);
export const enc = encodeURIComponent;

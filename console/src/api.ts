/**
 * The public HTTP API, and nothing else, through the typed client generated from the service's OpenAPI document
 * (`client/`): every call carries the signed-in user's token, and a refusal becomes an `ApiError` whose message is
 * the service's own.
 */

import type { components } from '../../client/index.ts';
import { type OrganizationsClient, organizationsClient } from '../../client/index.ts';
import { getAccessToken } from './auth.ts';
import { config } from './config.ts';

export type Schemas = components['schemas'];

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

let client: OrganizationsClient | undefined;

/** The typed client, made once the console's configuration is loaded. */
export function api(): OrganizationsClient {
  client ??= organizationsClient({ baseUrl: config().apiUrl, token: getAccessToken });
  return client;
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The answer's body when the service took the request; otherwise an `ApiError` with the service's errors (or API
 * Gateway's own `{"message":"Unauthorized"}`), or one saying the service could not be reached.
 */
export async function ok<T>(answer: Promise<Answer<T>>): Promise<T> {
  let settled: Answer<T>;
  try {
    settled = await answer;
  } catch {
    throw new ApiError(0, [
      { code: 'network', message: 'The service could not be reached. Check your connection and try again.' },
    ]);
  }
  const { data, error, response } = settled;
  if (response.ok) return data as T;
  const errors = (error as { errors?: ApiErrorItem[] } | undefined)?.errors;
  const fallback =
    (error as { message?: string } | undefined)?.message ?? `The service answered ${response.status}.`;
  throw new ApiError(
    response.status,
    errors?.length ? errors : [{ code: `http.${response.status}`, message: fallback }],
  );
}

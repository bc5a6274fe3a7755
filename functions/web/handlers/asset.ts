import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { WEB_DIST, WEB_ENTRIES } from '../../../web/files.ts';
import { ApiError } from '../../shared/errors.ts';
import { type HttpResponse, publicRoute } from '../../shared/http.ts';

const notFound = () => new ApiError('root.not_found', 'There is no such file.');
const FILES = new Set<string>(WEB_ENTRIES.map((e) => `${e}.js`));
const cache = new Map<string, { body: string; etag: string }>();

/** The pages' scripts (`web/*.ts`, bundled by esbuild), from this origin: the CSP allows no other. */
export const handler = publicRoute(async (req): Promise<HttpResponse> => {
  const file = req.path('file', /^[a-z-]{1,40}\.js$/, notFound());
  if (!FILES.has(file)) throw notFound();
  let asset = cache.get(file);
  if (!asset) {
    // Beside the handler in Lambda (/var/task/web/dist), built at start-up locally (`web/build.ts`).
    const body = readFileSync(resolve(WEB_DIST, file), 'utf8');
    asset = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
    cache.set(file, asset);
  }
  if (req.event.headers?.['if-none-match'] === asset.etag) {
    return { statusCode: 304, headers: { etag: asset.etag }, body: '' };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      // Revalidated each time (the ETag makes that cheap): a deploy takes effect at once.
      'cache-control': 'no-cache',
      etag: asset.etag,
      'x-content-type-options': 'nosniff',
    },
    body: asset.body,
  };
});

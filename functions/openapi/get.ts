import { json, publicRoute } from '../shared/http.ts';
import { openApiDocument } from './document.ts';

/** The API's OpenAPI 3.1 document: public, the same for everyone, so caches may keep it for five minutes. */
export const handler = publicRoute(async () =>
  json(200, openApiDocument(), { 'cache-control': 'public, max-age=300' }),
);

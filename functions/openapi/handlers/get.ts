import { json, publicRoute } from '../../shared/http.ts';
import { openApiDocument } from '../document.ts';

let body: string | undefined;

/** The API's OpenAPI 3.1 document: public, the same for everyone, so caches may keep it for five minutes. */
export const handler = publicRoute(async () => {
  // Serialised once per container: it is about 90 KB and never changes while the code does not.
  body ??= JSON.stringify(openApiDocument());
  return { ...json(200, null, { 'cache-control': 'public, max-age=300' }), body };
});

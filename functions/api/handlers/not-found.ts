import { ROUTES } from '../../routes.ts';
import { ApiError } from '../../shared/errors.ts';
import { publicRoute } from '../../shared/http.ts';

const patterns = ROUTES.map((r) => ({
  method: r.method as string,
  regex: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** API Gateway's $default route: unknown paths and methods still get the API's error body. */
export const handler = publicRoute(async (req) => {
  const path = req.event.rawPath ?? '';
  const method = req.event.requestContext.http.method;
  const allowed = patterns.filter((p) => p.regex.test(path)).map((p) => p.method);
  if (allowed.length > 0 && !allowed.includes(method)) {
    throw new ApiError(
      'root.method_not_allowed',
      `${method} is not supported here; use ${allowed.join(', ')}.`,
      undefined,
      {
        allow: allowed.join(', '),
      },
    );
  }
  throw new ApiError(
    'root.not_found',
    `No such endpoint: ${path.slice(0, 200)}. See the API reference for the routes.`,
  );
});

import { json, publicRoute } from '../../shared/http.ts';

export const handler = publicRoute(async () => json(200, { ok: true }));

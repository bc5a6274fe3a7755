/** The API key routes (`/users/auth/keys`), one function (`authedRoutes`). */
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoutes, json } from '../../shared/http.ts';
import { apiKeyIds, createApiKeyRequest, deleteApiKeysRequest } from '../schemas.ts';
import { createApiKey, deleteApiKeys, getApiKey, listApiKeys } from '../service.ts';

const PATH = '/api/v1/users/auth/keys';
/** The create answer's header: when the key stops working (ISO 8601), or `never`. */
export const EXPIRES_HEADER = 'x-api-key-expires-at';

export const handler = authedRoutes({
  [`POST ${PATH}`]: async (req) => {
    const key = await createApiKey(defaultDeps(), req.caller, req.body(createApiKeyRequest));
    return json(201, key, { [EXPIRES_HEADER]: key.expiration_date ?? 'never' });
  },
  [`GET ${PATH}`]: async (req) => json(200, { keys: await listApiKeys(defaultDeps(), req.caller) }),
  [`DELETE ${PATH}`]: async (req) => {
    await deleteApiKeys(defaultDeps(), req.caller, req.body(deleteApiKeysRequest).keys);
    return json(200, {});
  },
  [`GET ${PATH}/{api_key_id}`]: async (req) =>
    json(200, await getApiKey(defaultDeps(), req.caller, apiKeyIds(req, false)[0]!)),
  [`DELETE ${PATH}/{api_key_id}`]: async (req) => {
    await deleteApiKeys(defaultDeps(), req.caller, apiKeyIds(req, true));
    return json(200, {});
  },
});

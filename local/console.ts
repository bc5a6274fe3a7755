/** The console on the local gateway: built with esbuild on first request, served from memory under `/console/`. */
import type { ServerResponse } from 'node:http';
import { buildConsoleInMemory, type ConsoleFile } from '../console/build.ts';
import { CONSOLE_HEADERS, consoleCsp, originOf } from '../console/headers.ts';

export const CONSOLE_PATH = '/console/';

export interface ConsoleSettings {
  /** OpenID Connect issuer and the console's client id; without them the console asks for a pasted token. */
  issuer?: string;
  clientId?: string;
}

export function consoleSite(settings: () => ConsoleSettings) {
  let files: Promise<Map<string, ConsoleFile>> | undefined;
  return async function serve(pathname: string, method: string, res: ServerResponse): Promise<void> {
    if (pathname === '/console') {
      res.writeHead(301, { location: CONSOLE_PATH });
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('Method not allowed');
      return;
    }
    const { issuer, clientId } = settings();
    const headers = {
      'content-security-policy': consoleCsp(originOf(issuer)),
      'referrer-policy': CONSOLE_HEADERS.referrerPolicy,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-cache',
    };
    const name = pathname.slice(CONSOLE_PATH.length) || 'index.html';
    if (name === 'config.json') {
      // Same origin as the API, as in AWS where CloudFront sends /api/* to API Gateway.
      const body = JSON.stringify({
        apiUrl: '',
        ...(issuer ? { issuer } : {}),
        ...(clientId ? { clientId } : {}),
      });
      res.writeHead(200, { ...headers, 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    files ??= buildConsoleInMemory().catch((e) => {
      files = undefined;
      throw e;
    });
    const file = (await files).get(name);
    if (!file) {
      res.writeHead(404, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found');
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': file.contentType, 'content-length': file.body.length });
    res.end(method === 'HEAD' ? undefined : file.body);
  };
}

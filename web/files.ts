/** The browser scripts pages load from `/assets/<name>.js`, and where the asset handler finds them. */

/** Relative to the handler's working directory: the repo locally, /var/task in Lambda. */
export const WEB_DIST = 'web/dist';
/** `web/<name>.ts` → `/assets/<name>.js`. */
export const WEB_ENTRIES = ['invitation', 'callback'] as const;

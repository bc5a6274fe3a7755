/**
 * Request schemas use zod's tree-shakable `zod/mini` build (about 25 KB in a bundle instead of about 440 KB for the
 * classic build), with its English messages, which the 400 answers quote. Import it as `import * as z`.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

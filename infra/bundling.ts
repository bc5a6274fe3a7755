/** How every handler is bundled: one definition for the stack (NodejsFunction) and for `npm run bench`. */
export const BUNDLE = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  /** ESM bundles of CommonJS dependencies need a `require`. */
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  /** Relative to the project root, where both the stack and the bench run esbuild. */
  alias: { '@aws-sdk/credential-provider-node': './functions/shared/lambda-credentials.ts' },
};

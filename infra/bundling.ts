/** How every handler is bundled: one definition for the stack (NodejsFunction) and for `npm run bench`. */
export const BUNDLE = {
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  /** Relative to the project root, where both the stack and the bench run esbuild. */
  alias: { '@aws-sdk/credential-provider-node': './functions/shared/lambda-credentials.ts' },
};

/**
 * Lambda tasks the workflows call: ASL substitution name -> handler module under `functions/`.
 * The CDK stack fills each substitution with the function's ARN; the local Step Functions endpoint runs the module.
 */
export const WORKFLOW_TASKS = {
  EchoFunctionArn: 'workflow/echo',
} as const satisfies Record<string, string>;

/**
 * Lambda tasks the migration workflow calls: ASL substitution name -> handler module under `functions/`.
 * The CDK stack fills each substitution with the function's ARN; the local Step Functions endpoint runs the module.
 */
export const WORKFLOW_TASKS = {
  ValidateMigrationFunctionArn: 'workflow/validate-migration',
  BackUpDeploymentFunctionArn: 'workflow/back-up-deployment',
  VerifyBackupsFunctionArn: 'workflow/verify-backups',
  DeleteSourceDeploymentsFunctionArn: 'workflow/delete-source-deployments',
  LeaveSourceOrganizationFunctionArn: 'workflow/leave-source-organization',
  ReinviteToTargetFunctionArn: 'workflow/reinvite-to-target',
  AwaitAcceptanceFunctionArn: 'workflow/await-acceptance',
  RestoreDeploymentFunctionArn: 'workflow/restore-deployment',
  RecordOutcomeFunctionArn: 'workflow/record-outcome',
  NotifyUserFunctionArn: 'workflow/notify-user',
  RemovePartialBackupsFunctionArn: 'workflow/remove-partial-backups',
  RecreateDeletedDeploymentsFunctionArn: 'workflow/recreate-deleted-deployments',
} as const satisfies Record<string, string>;

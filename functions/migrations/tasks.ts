/**
 * Lambda tasks the migration workflow calls: ASL substitution name -> handler module under `functions/`.
 * The CDK stack fills each substitution with the function's ARN; the local Step Functions endpoint runs the module.
 */
export const WORKFLOW_TASKS = {
  ValidateMigrationFunctionArn: 'migrations/tasks/validate-migration',
  BackUpDeploymentFunctionArn: 'migrations/tasks/back-up-resource',
  VerifyBackupsFunctionArn: 'migrations/tasks/verify-backups',
  DeleteSourceDeploymentsFunctionArn: 'migrations/tasks/delete-source-resources',
  LeaveSourceOrganizationFunctionArn: 'migrations/tasks/leave-source-organization',
  ReinviteToTargetFunctionArn: 'migrations/tasks/reinvite-to-target',
  AwaitAcceptanceFunctionArn: 'migrations/tasks/await-acceptance',
  RestoreDeploymentFunctionArn: 'migrations/tasks/restore-resource',
  RecordOutcomeFunctionArn: 'migrations/tasks/record-outcome',
  NotifyUserFunctionArn: 'migrations/tasks/notify-user',
  RemovePartialBackupsFunctionArn: 'migrations/tasks/remove-partial-backups',
  RecreateDeletedDeploymentsFunctionArn: 'migrations/tasks/recreate-deleted-resources',
} as const satisfies Record<string, string>;

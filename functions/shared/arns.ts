/** A Standard execution's ARN from its state machine's ARN and the execution name (the migration id here). */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

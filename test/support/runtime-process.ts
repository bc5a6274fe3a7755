/**
 * The local runtime as a process of its own, for tests that kill it (`crash.test.ts`): the whole local stack on the
 * data folder, ports and SES endpoint given as JSON in argv[2]. SES stays outside (as in AWS, where it is not part of
 * what crashes), so the mailbox counts every email across the crash. Prints one JSON line once it is ready.
 */
import { startLocalStack } from '../../local/stack.ts';

const o = JSON.parse(process.argv[2] ?? '{}') as {
  dataDir: string;
  sesEndpoint: string;
  tableName: string;
  ports: { gateway: number; dynamodb: number; sfn: number; oidc: number };
  emailSendRatePerSecond: number;
};
process.env.LOG_LEVEL ??= 'silent';
const stack = await startLocalStack({
  dataDir: o.dataDir,
  sesEndpoint: o.sesEndpoint,
  tableName: o.tableName,
  ports: o.ports,
  keyFile: '.local/test-oidc-signing-key.json',
  emailSendRatePerSecond: o.emailSendRatePerSecond,
});
console.log(
  JSON.stringify({
    ready: true,
    apiUrl: stack.apiUrl,
    issuer: stack.issuer,
    dynamoEndpoint: stack.dynamoEndpoint,
    sfnEndpoint: stack.sfnEndpoint,
    stateMachineArn: stack.stateMachineArn,
  }),
);

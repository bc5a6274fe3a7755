/** Starts one DynamoDB Local and one local SES for the integration run; each test file makes its own table. */
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../local/dynamodb.ts';
import { freePort } from '../../local/ports.ts';
import { startSesLocal } from '../../local/ses.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    sesEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  // Stage mode (API_URL): the suites call a deployed stage and start nothing.
  if (process.env.API_URL) return;
  const [dynamo, ses] = await Promise.all([
    startDynamoLocal(await freePort()),
    startSesLocal(await freePort()),
  ]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('sesEndpoint', ses.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), ses.stop()]);
  };
}

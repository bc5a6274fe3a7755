/**
 * The DynamoDB client, created once per cold start. The endpoint comes from the standard setting
 * (AWS_ENDPOINT_URL_DYNAMODB) so local runs need no code path of their own. The SES and Step Functions clients live
 * in `mailer.ts` and `workflow.ts`, and the KMS client in `sso/tokens.ts`, so only the handlers that send mail, call the
 * workflow or sign tokens bundle them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The plain client under `dynamo`, for libraries that marshal items themselves (Powertools' idempotency store). */
export const dynamoClient = new DynamoDBClient({ maxAttempts: 3 });

export const dynamo = DynamoDBDocumentClient.from(dynamoClient, {
  marshallOptions: { removeUndefinedValues: true },
});

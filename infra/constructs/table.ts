import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableEncryptionV2,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE } from '../../functions/shared/table.ts';

export interface MembershipTableProps {
  /** Keep data on stack deletion and refuse accidental table deletion (production); false for throwaway stages. */
  retain: boolean;
}

/** The single table, from the same definition the local bootstrap uses. */
export class MembershipTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string, props: MembershipTableProps) {
    super(scope, id);
    // CloudFormation adds one index to an existing table per update: a stage created before the member lists (#23)
    // deploys once with `-c tableIndexes=2` (gsi2 added), then as usual (gsi3). New stages take every index at once.
    const upTo = Number(this.node.tryGetContext('tableIndexes') ?? TABLE.indexes.length);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: TABLE.indexes.slice(0, upTo).map((i) => ({
        indexName: i.indexName,
        partitionKey: { name: i.partitionKey, type: AttributeType.STRING },
        sortKey: { name: i.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      })),
      timeToLiveAttribute: TABLE.ttlAttribute,
      dynamoStream: StreamViewType[TABLE.streamViewType],
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.awsManagedKey(),
      deletionProtection: props.retain,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }
}

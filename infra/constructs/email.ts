import { Arn, Stack } from 'aws-cdk-lib';
import { ConfigurationSet, EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

export interface EmailProps {
  /** The From address of invitation emails. */
  senderEmail: string;
  /** Verify the whole domain (DKIM) instead of the single address, when set. */
  senderDomain?: string;
}

/** The SES sender identity and a configuration set (reputation metrics, suppression of bounces). */
export class Email extends Construct {
  readonly senderEmail: string;
  readonly configurationSet: ConfigurationSet;
  /** ARNs `ses:SendEmail` must be allowed on: the identity and the configuration set. */
  readonly sendResources: string[];

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    const identityName = props.senderDomain ?? props.senderEmail;
    new EmailIdentity(this, 'Identity', {
      identity: props.senderDomain ? Identity.domain(props.senderDomain) : Identity.email(props.senderEmail),
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
    this.senderEmail = props.senderEmail;
    const stack = Stack.of(this);
    this.sendResources = [
      Arn.format({ service: 'ses', resource: 'identity', resourceName: identityName }, stack),
      Arn.format(
        {
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.configurationSet.configurationSetName,
        },
        stack,
      ),
    ];
  }
}

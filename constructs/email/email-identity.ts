import { Construct } from 'constructs';
import { Fn } from 'cdktf';
import { Sesv2EmailIdentity } from '@cdktf/provider-aws/lib/sesv2-email-identity';
import { Sesv2ConfigurationSet } from '@cdktf/provider-aws/lib/sesv2-configuration-set';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { PolicyStatement } from '../common/iam';

/** SES Easy DKIM publishes three CNAME tokens per domain identity. */
export const EASY_DKIM_TOKENS = 3;

export interface EmailIdentityProps {
  /** The domain mail is sent from (verified through DKIM). */
  readonly domain: string;
  /** Route 53 hosted zone holding `domain` (or a parent of it): the DKIM records go there. */
  readonly hostedZoneId: string;
  /** Name of the configuration set every message from the identity goes through. */
  readonly configurationSetName: string;
}

/**
 * An SES (v2) domain identity with Easy DKIM (2048-bit keys SES rotates) verified through three
 * CNAME records in the domain's hosted zone, and a configuration set every message from the
 * identity uses by default: TLS required to the receiving server, reputation metrics on, bounces
 * and complaints added to the suppression list. Who may send is decided by `sendStatement`, which
 * pins the sender address with `ses:FromAddress`.
 */
export class EmailIdentity extends Construct {
  readonly identity: Sesv2EmailIdentity;
  readonly configurationSet: Sesv2ConfigurationSet;
  readonly dkimRecords: Route53Record[];
  readonly domain: string;
  readonly configurationSetName: string;

  constructor(scope: Construct, id: string, props: EmailIdentityProps) {
    super(scope, id);
    if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/.test(props.domain)) {
      throw new Error(`${this.node.path}: 'domain' must be a domain name such as example.com. Got: ${props.domain}`);
    }
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(props.configurationSetName)) {
      throw new Error(`${this.node.path}: 'configurationSetName' must be 1-64 letters, digits, - or _. Got: ${props.configurationSetName}`);
    }
    this.domain = props.domain;
    this.configurationSetName = props.configurationSetName;
    this.configurationSet = new Sesv2ConfigurationSet(this, 'configuration-set', {
      configurationSetName: props.configurationSetName,
      deliveryOptions: { tlsPolicy: 'REQUIRE' },
      reputationOptions: { reputationMetricsEnabled: true },
      sendingOptions: { sendingEnabled: true },
      suppressionOptions: { suppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    this.identity = new Sesv2EmailIdentity(this, 'identity', {
      emailIdentity: props.domain,
      configurationSetName: this.configurationSet.configurationSetName,
      dkimSigningAttributes: { nextSigningKeyLength: 'RSA_2048_BIT' },
    });
    const tokens = this.identity.dkimSigningAttributes.tokens;
    this.dkimRecords = Array.from({ length: EASY_DKIM_TOKENS }, (_, i) => {
      const token = Fn.element(tokens, i);
      return new Route53Record(this, `dkim-${i}`, {
        zoneId: props.hostedZoneId,
        name: `${token}._domainkey.${props.domain}`,
        type: 'CNAME',
        ttl: 1800,
        records: [`${token}.dkim.amazonses.com`],
      });
    });
  }

  /**
   * Sending as `fromAddress` only: SendEmail/SendRawEmail on this identity and its configuration
   * set, refused for any other From address.
   */
  sendStatement(fromAddress: string): PolicyStatement {
    if (!fromAddress.endsWith(`@${this.domain}`)) {
      throw new Error(`${this.node.path}: ${fromAddress} is not an address of ${this.domain}`);
    }
    return {
      Sid: 'SendAsTheSenderAddressOnly',
      Effect: 'Allow',
      Action: ['ses:SendEmail', 'ses:SendRawEmail'],
      Resource: [this.identity.arn, this.configurationSet.arn],
      Condition: { StringEquals: { 'ses:FromAddress': fromAddress } },
    };
  }
}

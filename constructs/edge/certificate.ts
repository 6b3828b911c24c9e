import { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';

export interface DnsValidatedCertificateProps {
  /** Main name of the certificate. */
  readonly domainName: string;
  /** Further names the certificate covers. @default none */
  readonly subjectAlternativeNames?: readonly string[];
  /** Route 53 hosted zone that holds every name (validation records are written there). */
  readonly hostedZoneId: string;
  /**
   * Provider of the certificate's region. CloudFront only reads certificates from us-east-1.
   * @default the stack's default aws provider
   */
  readonly provider?: TerraformProvider;
  /**
   * OBS-2: alarm when the certificate is this many days from expiry (ACM renews DNS-validated
   * certificates on its own; the alarm catches a renewal that failed), publishing to `alarmTopicArn`
   * (a topic of the certificate's region).
   * @default no alarm
   */
  readonly expiryAlarm?: { readonly days: number; readonly alarmTopicArn: string; readonly name: string };
}

/**
 * NET-4: an ACM certificate validated through DNS records in the environment's hosted zone.
 * `arn` is the validated certificate's ARN, so listeners and distributions that use it wait for
 * validation to complete. ACM renews it automatically while the records exist.
 */
export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  /** ARN of the certificate once validated. */
  readonly arn: string;
  readonly names: readonly string[];
  /** The expiry alarm, when `expiryAlarm` was given. */
  readonly expiryAlarm?: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    const sans = (props.subjectAlternativeNames ?? []).filter((n) => n !== props.domainName);
    this.names = [props.domainName, ...sans];
    if (new Set(this.names).size !== this.names.length) {
      throw new Error(`${this.node.path}: certificate names must be distinct. Got: ${this.names.join(', ')}`);
    }
    this.certificate = new AcmCertificate(this, 'certificate', {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: sans.length > 0 ? sans : undefined,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      options: { certificateTransparencyLoggingPreference: 'ENABLED' },
      lifecycle: { createBeforeDestroy: true },
    });
    // One record per name, addressed by the name (known at plan time, so an offline plan works;
    // a for_each over domain_validation_options is keyed by values only known after apply).
    const options = `${this.certificate.fqn}.domain_validation_options`;
    const pick = (name: string, field: string) =>
      `\${[for o in ${options} : o.${field} if o.domain_name == "${name}"][0]}`;
    const records = this.names.map(
      (name) =>
        new Route53Record(this, `validation-${name.replace(/\./g, '-')}`, {
          zoneId: props.hostedZoneId,
          name: pick(name, 'resource_record_name'),
          type: pick(name, 'resource_record_type'),
          records: [pick(name, 'resource_record_value')],
          ttl: 60,
          // Names that share a validation record (apex and wildcard) write the same record.
          allowOverwrite: true,
        }),
    );
    this.validation = new AcmCertificateValidation(this, 'validation', {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: records.map((r) => r.fqdn),
    });
    this.arn = this.validation.certificateArn;
    if (props.expiryAlarm) {
      const { days, alarmTopicArn, name } = props.expiryAlarm;
      if (!Number.isInteger(days) || days < 1 || days > 60) {
        throw new Error(`${this.node.path}: 'expiryAlarm.days' must be a whole number from 1 to 60 (ACM renews 60 days ahead). Got: ${days}`);
      }
      this.expiryAlarm = new CloudwatchMetricAlarm(this, 'expiry-alarm', {
        provider: props.provider,
        alarmName: name,
        alarmDescription: `TLS certificate ${props.domainName} expires in less than ${days} days: ACM renewal failed (check the validation records). Runbook: README.md#alert-decision-matrix`,
        namespace: 'AWS/CertificateManager',
        metricName: 'DaysToExpiry',
        dimensions: { CertificateArn: this.arn },
        statistic: 'Minimum',
        period: 86400,
        evaluationPeriods: 1,
        comparisonOperator: 'LessThanThreshold',
        threshold: days,
        treatMissingData: 'notBreaching',
        alarmActions: [alarmTopicArn],
        okActions: [alarmTopicArn],
      });
    }
  }
}

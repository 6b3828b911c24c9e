import { Construct } from 'constructs';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { protectFromDestroy } from '../common/protection';

export interface GuardDutyProps {
  /**
   * How often updated findings are exported to EventBridge.
   * @default 'FIFTEEN_MINUTES'
   */
  readonly findingPublishingFrequency?: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';
  /** BAK-4: keep the detector (and its finding history) from an ordinary destroy. */
  readonly protect: boolean;
  /**
   * Where findings go: an EventBridge rule (named `ruleName`) sends every finding of at least
   * `minSeverity` to this SNS topic, whose topic and key policies must let the rule publish
   * (AlertTopic `eventRules`).
   * @default findings stay in the GuardDuty console
   */
  readonly findings?: { readonly topicArn: string; readonly ruleName: string; readonly minSeverity: number };
}

/** The GuardDuty features this detector turns on, with their additional configuration. */
export const GUARDDUTY_FEATURES: readonly { readonly name: string; readonly additional?: readonly string[] }[] = [
  // Threat detection on the EKS audit log (the control plane's API calls).
  { name: 'EKS_AUDIT_LOGS' },
  // Runtime monitoring of the nodes, with the GuardDuty agent managed as an EKS add-on.
  { name: 'RUNTIME_MONITORING', additional: ['EKS_ADDON_MANAGEMENT'] },
  // Malware scan of the EBS volumes of an instance GuardDuty has a finding on.
  { name: 'EBS_MALWARE_PROTECTION' },
];

/**
 * SEC-3 cloud-side signals: a GuardDuty detector in the environment's account and region with
 * EKS audit-log monitoring, EKS runtime monitoring (managed agent) and EBS malware protection.
 * One detector exists per account and region: environments sharing an account enable it once.
 */
export class GuardDuty extends Construct {
  readonly detector: GuarddutyDetector;
  readonly findingsRule?: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: GuardDutyProps) {
    super(scope, id);
    this.detector = new GuarddutyDetector(this, 'detector', {
      enable: true,
      findingPublishingFrequency: props.findingPublishingFrequency ?? 'FIFTEEN_MINUTES',
    });
    protectFromDestroy(this.detector, props.protect);
    for (const feature of GUARDDUTY_FEATURES) {
      new GuarddutyDetectorFeature(this, feature.name.toLowerCase().replace(/_/g, '-'), {
        detectorId: this.detector.id,
        name: feature.name,
        status: 'ENABLED',
        additionalConfiguration: feature.additional?.map((name) => ({ name, status: 'ENABLED' })),
      });
    }
    if (props.findings) {
      const f = props.findings;
      if (f.minSeverity < 1 || f.minSeverity > 8.9) {
        throw new Error(`${this.node.path}: 'findings.minSeverity' must be between 1 and 8.9 (GuardDuty's scale). Got: ${f.minSeverity}`);
      }
      this.findingsRule = new CloudwatchEventRule(this, 'findings-rule', {
        name: f.ruleName,
        description: `GuardDuty findings of severity ${f.minSeverity} and above to the alert topic (SEC-3)`,
        eventPattern: JSON.stringify({
          source: ['aws.guardduty'],
          'detail-type': ['GuardDuty Finding'],
          detail: { severity: [{ numeric: ['>=', f.minSeverity] }] },
        }),
      });
      new CloudwatchEventTarget(this, 'findings-target', {
        rule: this.findingsRule.name,
        targetId: 'alert-topic',
        arn: f.topicArn,
      });
    }
  }
}

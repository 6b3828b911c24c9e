import { Construct } from 'constructs';
import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import { protectFromDestroy } from '../common/protection';

export interface GuardDutyProps {
  /**
   * How often updated findings are exported to EventBridge.
   * @default 'FIFTEEN_MINUTES'
   */
  readonly findingPublishingFrequency?: 'FIFTEEN_MINUTES' | 'ONE_HOUR' | 'SIX_HOURS';
  /** BAK-4: keep the detector (and its finding history) from an ordinary destroy. */
  readonly protect: boolean;
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
  }
}

import { NOT_APPLICABLE, PolicyRule, fromProblems } from '../types';
import { block, blocks, isTrue } from '../util';

/** TAI-EC2-1: encrypted volumes with a customer key. */
export const ebsEncryption: PolicyRule = {
  id: 'TAI-EC2-1',
  title: 'EBS volumes (launch templates, instances, volumes) are encrypted with a KMS key',
  explanation:
    'Every EBS block device of an aws_launch_template or aws_instance, and every aws_ebs_volume, sets ' +
    'encrypted = true and a kms_key_id (the environment\'s volumes key), so node disks and their ' +
    'snapshots are encrypted at rest with a rotated customer key (SEC-3, K8S-2).',
  references: { checkov: ['CKV_AWS_3', 'CKV_AWS_8', 'CKV_AWS_189'], cdkNag: ['AwsSolutions-EC26', 'EC2EBSVolumeEncrypted (NIST, HIPAA and PCI packs)'] },
  resourceTypes: ['aws_launch_template', 'aws_instance', 'aws_ebs_volume'],
  check(resource) {
    const c = resource.config;
    const devices: Array<[string, Record<string, any>]> =
      resource.type === 'aws_ebs_volume'
        ? [['volume', c]]
        : resource.type === 'aws_launch_template'
          ? blocks(c.block_device_mappings).filter((m) => m.ebs).map((m) => [String(m.device_name), block(m.ebs)])
          : [
              ['root_block_device', block(c.root_block_device)],
              ...blocks(c.ebs_block_device).map((d): [string, Record<string, any>] => [String(d.device_name), d]),
            ];
    if (devices.length === 0) return NOT_APPLICABLE;
    const problems: string[] = [];
    for (const [name, d] of devices) {
      if (!isTrue(d.encrypted)) problems.push(`${name}: encrypted is not true`);
      else if (!d.kms_key_id) problems.push(`${name}: no kms_key_id (AWS-managed key)`);
    }
    return fromProblems(problems);
  },
};

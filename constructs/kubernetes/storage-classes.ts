import { Construct } from 'constructs';
import { StorageClassV1 } from '@cdktf/provider-kubernetes/lib/storage-class-v1';

export interface StorageClassesProps {
  /** KMS key (ARN) every volume is encrypted with. */
  readonly volumesKeyArn: string;
}

/** Name of the storage class for stateful data (databases, Vault, Prometheus, Elasticsearch). */
export const STATEFUL_STORAGE_CLASS = 'gp3-encrypted-retain';
/** Name of the storage class for data that can be rebuilt (caches, scratch). */
export const EPHEMERAL_STORAGE_CLASS = 'gp3-encrypted';

/**
 * EBS CSI storage classes: gp3, encrypted with the environment's volumes key, bound where the pod
 * is scheduled (so the volume lands in the pod's zone), expandable. The stateful class is the
 * default and keeps the volume when its claim is deleted (BAK-4).
 */
export class StorageClasses extends Construct {
  readonly stateful: StorageClassV1;
  readonly ephemeral: StorageClassV1;
  readonly statefulName: string;
  readonly ephemeralName: string;

  constructor(scope: Construct, id: string, props: StorageClassesProps) {
    super(scope, id);
    const parameters = {
      type: 'gp3',
      encrypted: 'true',
      kmsKeyId: props.volumesKeyArn,
      'csi.storage.k8s.io/fstype': 'ext4',
    };
    const common = {
      storageProvisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      parameters,
    };
    this.stateful = new StorageClassV1(this, 'stateful', {
      ...common,
      metadata: {
        name: STATEFUL_STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      reclaimPolicy: 'Retain',
    });
    this.ephemeral = new StorageClassV1(this, 'ephemeral', {
      ...common,
      metadata: { name: EPHEMERAL_STORAGE_CLASS },
      reclaimPolicy: 'Delete',
    });
    this.statefulName = this.stateful.metadata.name;
    this.ephemeralName = this.ephemeral.metadata.name;
  }
}

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

export interface ProvisionedStorageClassProps {
  /** Class name, e.g. `gp3-postgres-retain`. */
  readonly name: string;
  readonly volumesKeyArn: string;
  /** gp3 provisioned IOPS (3000..16000) and throughput (125..1000 MiB/s), checked by the definition. */
  readonly iops: number;
  readonly throughputMiBps: number;
}

/**
 * A retained, encrypted gp3 class with provisioned IOPS and throughput (issue 13): one per data
 * store, so each store's volumes get the definition's numbers. The EBS CSI driver reads them when
 * it creates a volume; a class's parameters cannot change in place (Terraform replaces the class,
 * volumes already created keep theirs: README, storage).
 */
export class ProvisionedStorageClass extends Construct {
  readonly storageClass: StorageClassV1;
  readonly name: string;

  constructor(scope: Construct, id: string, props: ProvisionedStorageClassProps) {
    super(scope, id);
    if (!Number.isInteger(props.iops) || props.iops < 3000 || props.iops > 16000) {
      throw new Error(`${this.node.path}: 'iops' must be a whole number 3000..16000 (gp3). Got: ${props.iops}`);
    }
    if (!Number.isInteger(props.throughputMiBps) || props.throughputMiBps < 125 || props.throughputMiBps > 1000 || props.throughputMiBps > props.iops / 4) {
      throw new Error(`${this.node.path}: 'throughputMiBps' must be 125..1000 and at most iops / 4 (gp3). Got: ${props.throughputMiBps}`);
    }
    this.storageClass = new StorageClassV1(this, 'class', {
      metadata: { name: props.name },
      storageProvisioner: 'ebs.csi.aws.com',
      volumeBindingMode: 'WaitForFirstConsumer',
      allowVolumeExpansion: true,
      reclaimPolicy: 'Retain',
      parameters: {
        type: 'gp3',
        encrypted: 'true',
        kmsKeyId: props.volumesKeyArn,
        'csi.storage.k8s.io/fstype': 'ext4',
        iops: String(props.iops),
        throughput: String(props.throughputMiBps),
      },
    });
    this.name = this.storageClass.metadata.name;
  }
}

import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { LocalChartRelease } from '../data/local-chart-release';


export interface VolumeSnapshotClassProps {
  /** Class name; VolumeSnapshots name it in `spec.volumeSnapshotClassName`. */
  readonly name: string;
  /**
   * `Retain` keeps the EBS snapshot (and its VolumeSnapshotContent) when the VolumeSnapshot is
   * deleted or its namespace is lost; `Delete` removes it with the VolumeSnapshot.
   */
  readonly deletionPolicy: 'Retain' | 'Delete';
  /**
   * The class of snapshots taken on a schedule and pruned by count: always `Delete`, or every
   * pruned snapshot would stay in EBS (a Retain class keeps it when its VolumeSnapshot goes).
   */
  readonly rotatingName: string;
  /**
   * The build of the EKS snapshot-controller add-on, read across stacks from the cloud stack:
   * the add-on installs the snapshot.storage.k8s.io CRDs these classes are instances of, and the
   * reference makes that dependency explicit (scripts/dependency-order.ts checks it).
   */
  readonly controllerAddonVersion: string;
  /** Tags of every EBS snapshot taken through the classes. */
  readonly tags: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Issue 13: the cluster's VolumeSnapshotClasses for the EBS CSI driver, through the local chart
 * charts/volume-snapshot-class (no pinned chart creates them; a kubernetes_manifest would need the
 * CRD at plan time): `name` (Retain in staging/production: a snapshot outlives its object) and
 * `rotatingName` (Delete: scheduled snapshots pruned by count). An EBS snapshot of an encrypted
 * volume is encrypted with that volume's key: every volume here is encrypted with the
 * environment's volumes key (storage classes), so every snapshot is too, and a volume created
 * from one is encrypted with it again (the EBS CSI driver's role holds the key grants). The
 * driver takes no key parameter for snapshots.
 */
export class VolumeSnapshotClass extends Construct {
  readonly release: LocalChartRelease;
  readonly name: string;
  readonly deletionPolicy: 'Retain' | 'Delete';
  readonly rotatingName: string;

  constructor(scope: Construct, id: string, props: VolumeSnapshotClassProps) {
    super(scope, id);
    for (const n of [props.name, props.rotatingName]) {
      if (!DNS_LABEL.test(n)) throw new Error(`${this.node.path}: class names must be lower-case DNS labels. Got: ${n}`);
    }
    if (props.name === props.rotatingName) throw new Error(`${this.node.path}: 'name' and 'rotatingName' must differ. Got: ${props.name}`);
    for (const [k, v] of Object.entries(props.tags)) {
      if (!/^[A-Za-z0-9_.:/+\-@]{1,128}$/.test(k) || v.includes('=') || v.length > 256) {
        throw new Error(`${this.node.path}: tag '${k}=${v}' is not a valid EBS tag for tagSpecification (key without '=', value without '=')`);
      }
    }
    this.name = props.name;
    this.deletionPolicy = props.deletionPolicy;
    this.rotatingName = props.rotatingName;
    this.release = new LocalChartRelease(this, 'release', {
      name: 'volume-snapshot-class',
      namespace: 'kube-system',
      chart: 'volume-snapshot-class',
      values: {
        classes: [
          { name: props.name, deletionPolicy: props.deletionPolicy },
          { name: props.rotatingName, deletionPolicy: 'Delete' },
        ],
        controllerAddonVersion: props.controllerAddonVersion,
        tags: { ...props.tags },
      },
      dependsOn: props.dependsOn,
    });
  }
}

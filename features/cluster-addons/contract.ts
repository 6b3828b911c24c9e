/**
 * What the two stacks agree on for the cluster add-ons installed by the platform stack (K8S-3,
 * LB-1): their namespace and service accounts, bound to Pod Identity roles by the cloud stack.
 */

/** Namespace of the add-ons installed by Helm (metrics-server, autoscaler, load-balancer controller). */
export const ADDON_NAMESPACE = 'kube-system';

export const CLUSTER_AUTOSCALER_IDENTITY = { namespace: ADDON_NAMESPACE, serviceAccount: 'cluster-autoscaler' } as const;

/** Service account of the AWS Load Balancer Controller; the platform stack installs it with this name. */
export const LB_CONTROLLER_IDENTITY = { namespace: ADDON_NAMESPACE, serviceAccount: 'aws-load-balancer-controller' } as const;

/**
 * The cluster autoscaler's image per supported EKS version: its minor version must match the
 * cluster's (the chart's default, v1.35.0, only fits 1.35). A new EKS version in
 * environments/catalog.ts needs its line here, or the build fails naming it.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  '1.34': 'v1.34.5',
  '1.35': 'v1.35.0',
};

/**
 * Issue 13: the VolumeSnapshotClass of the EBS CSI driver (the platform stack creates it; the
 * cloud stack's EKS add-on `snapshot-controller` installs its CRDs). deletionPolicy Retain in
 * staging and production: a snapshot taken through it outlives its VolumeSnapshot object.
 */
export const VOLUME_SNAPSHOT_CLASS = 'ebs-snapshots';
/**
 * The class of scheduled snapshots that a job prunes by count (deletionPolicy Delete in every
 * environment: with Retain, each pruned snapshot would stay in EBS for good).
 */
export const ROTATING_VOLUME_SNAPSHOT_CLASS = 'ebs-snapshots-rotating';

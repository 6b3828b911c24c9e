import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { LocalChartRelease } from './local-chart-release';

export interface RestoredClaim {
  /** The claim's name: a StatefulSet's `<template>-<statefulset>-<ordinal>`, so the StatefulSet adopts it. */
  readonly name: string;
  /** The VolumeSnapshot (in the same namespace) the volume is created from. */
  readonly snapshot: string;
}

export interface RestoredClaimsProps {
  /** Release name (unique per namespace). */
  readonly name: string;
  /** Namespace of the claims and of the snapshots they are created from. */
  readonly namespace: string;
  readonly claims: readonly RestoredClaim[];
  /** The StatefulSet's claim template: its storage class, size (GiB) and access mode. */
  readonly storageClass: string;
  readonly storageGiB: number;
  /**
   * Labels of every claim: those the StatefulSet controller gives the claims it creates (the
   * StatefulSet's selector labels plus its claim template's), so an operator that finds its claims
   * by label (volume resize, label fixes, cleanup) finds these too. They replace the chart's
   * defaults (`app.kubernetes.io/managed-by: Helm`, `app.kubernetes.io/component: restored-claim`)
   * where they name the same key. @default none
   */
  readonly labels?: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * BAK-3, issue 13: claims created from CSI volume snapshots, through the local chart
 * charts/restored-claims (the Terraform kubernetes provider's claim has no `dataSource`, and a
 * StatefulSet's claim template from a pinned chart takes none). Each claim has the name the
 * StatefulSet's template gives the claim of that replica, so the StatefulSet adopts it instead of
 * provisioning an empty volume. The claims carry `helm.sh/resource-policy: keep`: deleting the
 * release never deletes the data. Helm does not wait for them: a `WaitForFirstConsumer` claim
 * binds only when the replica's pod is scheduled, after this release.
 */
export class RestoredClaims extends Construct {
  readonly release: LocalChartRelease;

  constructor(scope: Construct, id: string, props: RestoredClaimsProps) {
    super(scope, id);
    if (props.claims.length === 0) throw new Error(`${this.node.path}: 'claims' must name at least one claim`);
    for (const c of props.claims) {
      for (const v of [c.name, c.snapshot]) {
        if (!DNS_LABEL.test(v) || v.length > 253) throw new Error(`${this.node.path}: '${v}' must be a lower-case DNS name`);
      }
    }
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k) || !/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(v)) {
        throw new Error(`${this.node.path}: label '${k}=${v}' is not a valid Kubernetes label`);
      }
    }
    if (new Set(props.claims.map((c) => c.name)).size !== props.claims.length) {
      throw new Error(`${this.node.path}: claim names must be distinct`);
    }
    this.release = new LocalChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: 'restored-claims',
      values: {
        claims: props.claims.map((c) => ({
          name: c.name,
          snapshot: c.snapshot,
          storageClass: props.storageClass,
          size: `${props.storageGiB}Gi`,
          accessModes: ['ReadWriteOnce'],
          ...(props.labels ? { labels: { ...props.labels } } : {}),
        })),
      },
      waitForResources: false,
      dependsOn: props.dependsOn,
    });
  }
}

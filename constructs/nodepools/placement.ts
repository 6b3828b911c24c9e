/** Where a workload of a logical pool runs: the node label to select and the taint to tolerate. */

/** Label (and taint key) every node of a pool carries. */
export const POOL_LABEL = 'toronto-ai.io/pool';

export interface Toleration {
  readonly key: string;
  readonly operator: 'Equal';
  readonly value: string;
  readonly effect: 'NoSchedule';
}

export interface NodePlacement {
  /** The pool that actually hosts the workload (may differ from the one asked for in small environments). */
  readonly pool: string;
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: Toleration[];
}

/** Pools whose nodes are tainted so that only their own workloads land there (K8S-2). */
export const TAINTED_POOLS: readonly string[] = ['database', 'vector', 'inference'];

/**
 * Placement for a workload that belongs on `wanted`. When the environment has no such pool
 * (development runs everything on its app pool), the workload goes to `fallback` instead.
 */
export function placementFor(wanted: string, existingPools: readonly string[], fallback = 'app'): NodePlacement {
  const pool = existingPools.includes(wanted) ? wanted : fallback;
  if (!existingPools.includes(pool)) {
    throw new Error(`placementFor: neither '${wanted}' nor the fallback '${fallback}' is a pool of this cluster. Got: ${existingPools.join(', ')}`);
  }
  return {
    pool,
    nodeSelector: { [POOL_LABEL]: pool },
    tolerations: TAINTED_POOLS.includes(pool)
      ? [{ key: POOL_LABEL, operator: 'Equal', value: pool, effect: 'NoSchedule' }]
      : [],
  };
}

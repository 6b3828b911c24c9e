/**
 * SEC-4: the one restricted security context every area uses (the application's workloads, the
 * cluster add-ons, jobs): it meets the `restricted` Pod Security Standard (non-root, no privilege
 * escalation, no capabilities, RuntimeDefault seccomp) with a read-only root file system and an
 * emptyDir for /tmp.
 */

/** The application image's non-root user and group. */
export const APP_UID = '10001';

export const RESTRICTED_POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: APP_UID,
  runAsGroup: APP_UID,
  fsGroup: APP_UID,
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The pod context of a short job whose image runs as any user: `nobody` (65534), restricted.
 * Kubernetes resources take the ids as strings.
 */
export const NOBODY_POD_SECURITY = {
  runAsNonRoot: true,
  runAsUser: '65534',
  runAsGroup: '65534',
  seccompProfile: { type: 'RuntimeDefault' },
};

export const RESTRICTED_CONTAINER_SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The restricted container context for a workload whose image has its own non-root user: the
 * shared context plus that user and group (Kubernetes resources take them as strings).
 */
export function restrictedContainerAs(user: string, group: string): typeof RESTRICTED_CONTAINER_SECURITY & { runAsUser: string; runAsGroup: string } {
  return { runAsUser: user, runAsGroup: group, ...RESTRICTED_CONTAINER_SECURITY };
}

/** The writable scratch directory of a read-only container. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

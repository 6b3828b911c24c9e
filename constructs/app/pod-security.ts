/**
 * SEC-4 security contexts shared by the application's workloads: they meet the `restricted` Pod
 * Security Standard of their namespaces (non-root, no privilege escalation, no capabilities,
 * RuntimeDefault seccomp, read-only root file system with an emptyDir for /tmp).
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

export const RESTRICTED_CONTAINER_SECURITY = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The writable scratch directory of a read-only container. */
export const TMP_VOLUME = { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } };
export const TMP_MOUNT = { name: 'tmp', mountPath: '/tmp' };

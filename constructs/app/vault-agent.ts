/**
 * SEC-1 / DATA-5: the application's interface to Vault. The Vault agent injector (installed with
 * Vault in the `vault` namespace) sees these pod annotations, logs in with the pod's service
 * account through Vault's Kubernetes auth method (role `role`), and renders each secret into
 * `/vault/secrets/<name>` inside the pod. No secret value is ever in this configuration or in a
 * Kubernetes Secret.
 *
 * Service accounts do not automount their token (SEC-4); the agent gets a short-lived projected
 * token of its own through the volume named in `agent-service-account-token-volume-name`, which
 * the application container does not mount.
 */

import { VAULT_CA_SECRET_NAME, VAULT_INJECT_LABEL } from '../data/vault';

export { VAULT_INJECT_LABEL };

export interface VaultAgentProps {
  /** Vault Kubernetes-auth role bound to the service account and namespace. */
  readonly role: string;
  /** Secrets to render: file name under /vault/secrets -> Vault path (KV v2: `secret/data/...`). */
  readonly secrets: Readonly<Record<string, string>>;
  /**
   * Single fields rendered alone into `/vault/secrets/<name>` (e.g. a CA certificate a driver
   * reads from a file): file name -> the Vault path (KV v2) and the field.
   * @default none
   */
  readonly fields?: Readonly<Record<string, { readonly path: string; readonly field: string }>>;
}

/** The projected token volume the agent authenticates with. */
export const VAULT_TOKEN_VOLUME = 'vault-token';

/** Pod annotations of the agent injector for `props`. */
export function vaultAgentAnnotations(props: VaultAgentProps): Record<string, string> {
  const names = Object.keys(props.secrets);
  if (names.length === 0) {
    throw new Error(`vaultAgentAnnotations: name at least one secret. Got none for role '${props.role}'`);
  }
  const annotations: Record<string, string> = {
    'vault.hashicorp.com/agent-inject': 'true',
    'vault.hashicorp.com/role': props.role,
    'vault.hashicorp.com/agent-service-account-token-volume-name': VAULT_TOKEN_VOLUME,
    'vault.hashicorp.com/agent-run-as-same-user': 'false',
    // Vault serves TLS with a CA generated in the cluster (constructs/data/vault.ts), published
    // into each client namespace as the `vault-ca` secret: the agent verifies the server with it.
    'vault.hashicorp.com/tls-secret': VAULT_CA_SECRET_NAME,
    'vault.hashicorp.com/ca-cert': '/vault/tls/ca.crt',
  };
  for (const name of names) {
    if (!/^[a-z0-9-]+$/.test(name)) {
      throw new Error(`vaultAgentAnnotations: secret name '${name}' must be lower-case letters, digits and dashes`);
    }
    annotations[`vault.hashicorp.com/agent-inject-secret-${name}`] = props.secrets[name];
  }
  for (const [name, f] of Object.entries(props.fields ?? {})) {
    if (!/^[a-z0-9-]+$/.test(name) || name in props.secrets) {
      throw new Error(`vaultAgentAnnotations: field file '${name}' must be lower-case letters, digits and dashes, and not a secret's name`);
    }
    if (!/^[a-z0-9_]+$/.test(f.field)) throw new Error(`vaultAgentAnnotations: field '${f.field}' must be lower-case letters, digits and underscores`);
    annotations[`vault.hashicorp.com/agent-inject-secret-${name}`] = f.path;
    annotations[`vault.hashicorp.com/agent-inject-template-${name}`] = `{{- with secret "${f.path}" -}}{{ .Data.data.${f.field} }}{{- end -}}`;
  }
  return annotations;
}

/**
 * The projected service-account token volume for the agent: the API server's default audience
 * (what Vault's TokenReview expects unless its role sets one), valid 10 minutes, rotated by the kubelet.
 */
export function vaultTokenVolume() {
  return {
    name: VAULT_TOKEN_VOLUME,
    projected: [{ sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 600 } }] }],
  };
}

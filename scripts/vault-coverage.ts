/**
 * What Vault serves in a synthesized platform stack, and whether the `vault-configure` job writes
 * all of it (issue 13: Vault's configuration has RPO 0 only if a restored or new Vault is
 * reconfigured from the same code).
 *
 * Read from the stack, never from the features' declarations:
 * - the roles clients log in with: `vault.hashicorp.com/role` annotations (agent injector) and
 *   `auth/kubernetes/login role=<role>` in job scripts;
 * - what each client does with its token: injected secrets (`agent-inject-secret-*` = read on
 *   `secret/data/<path>`), `vault kv put -mount=secret <path>` (create/update), raft snapshot
 *   save (read on `sys/storage/raft/snapshot`) and restore through a role (update);
 * - what `vault-configure` writes: its ConfigMap's `policy-<role>.hcl` files and the
 *   `vault write auth/kubernetes/role/<role> ... policies=<role>` lines of `configure.sh`, and the
 *   auth method, KV mount and audit device the script ensures.
 *
 * A use is covered when one of its consumer's roles is written by `vault-configure` with a policy
 * that grants the capability on that exact path. The configuration job's own role and policy are
 * the bootstrap's (README: Vault first initialisation), also from the ConfigMap.
 */
type Json = Record<string, any>;

export interface VaultUse {
  /** Terraform address of the consumer (`type.name`). */
  readonly consumer: string;
  readonly roles: readonly string[];
  readonly path: string;
  readonly capability: 'read' | 'create' | 'update';
}

export interface VaultCoverage {
  /** Roles clients log in with (the configuration job's own excluded). */
  readonly roles: readonly string[];
  /** Policies and roles `vault-configure` writes. */
  readonly writtenPolicies: readonly string[];
  readonly writtenRoles: readonly string[];
  readonly uses: readonly VaultUse[];
  /** Paths under `secret/` clients read and nothing in the stack writes: they exist only in Vault. */
  readonly secretsWithoutSource: readonly string[];
  /** Paths under `secret/` a job of the stack writes (from a source outside Vault). */
  readonly syncedSecrets: readonly string[];
  /** What is not written by `vault-configure`, one line each (empty: complete). */
  readonly problems: readonly string[];
  /** The configuration job's schedule. */
  readonly schedule?: string;
}

const CONFIGURE_ROLE = 'vault-configure';

/** `path "X" { capabilities = [...] }` blocks of an HCL policy. */
export function policyGrants(hcl: string): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const m of hcl.matchAll(/path "([^"]+)" \{\s*capabilities = \[([^\]]*)\]/g)) {
    const caps = [...m[2].matchAll(/"([a-z]+)"/g)].map((c) => c[1]);
    grants.set(m[1], new Set([...(grants.get(m[1]) ?? []), ...caps]));
  }
  return grants;
}

function consumers(platform: Json): { address: string; text: string }[] {
  const out: { address: string; text: string }[] = [];
  for (const [type, byName] of Object.entries((platform.resource ?? {}) as Json)) {
    for (const [name, r] of Object.entries(byName as Json)) {
      // Unescape once so annotations inside Helm values (JSON in a string) read like the others.
      out.push({ address: `${type}.${name}`, text: JSON.stringify(r).replace(/\\"/g, '"').replace(/\\n/g, '\n') });
    }
  }
  return out;
}

const uniq = (xs: string[]) => [...new Set(xs)].sort();

export function vaultCoverage(platform: Json): VaultCoverage {
  const configMap = Object.values((platform.resource?.kubernetes_config_map_v1 ?? {}) as Json).find(
    (c) => (Array.isArray(c.metadata) ? c.metadata[0] : c.metadata)?.name === 'vault-configure',
  );
  const configureJob = Object.values((platform.resource?.kubernetes_cron_job_v1 ?? {}) as Json).find(
    (c) => (Array.isArray(c.metadata) ? c.metadata[0] : c.metadata)?.name === 'vault-configure',
  );
  const schedule = configureJob ? String((Array.isArray(configureJob.spec) ? configureJob.spec[0] : configureJob.spec)?.schedule) : undefined;
  const data = (configMap?.data ?? {}) as Record<string, string>;
  const script = data['configure.sh'] ?? '';
  const policies = new Map<string, Map<string, Set<string>>>();
  for (const [file, hcl] of Object.entries(data)) {
    const m = /^policy-(.+)\.hcl$/.exec(file);
    if (m) policies.set(m[1], policyGrants(hcl));
  }
  // `vault policy write` runs over every policy file but the job's own (the bootstrap writes that one).
  const writesPolicies = /for f in \/config\/policy-\*\.hcl; do .*vault policy write/.test(script);
  const writtenPolicies = writesPolicies ? [...policies.keys()].filter((p) => p !== CONFIGURE_ROLE).sort() : [];
  const roleLines = [...script.matchAll(/^vault write auth\/kubernetes\/role\/([a-z0-9-]+) (.*)$/gm)];
  const roleToPolicy = new Map(roleLines.map((m) => [m[1], /(?:^| )policies=([a-z0-9-]+)/.exec(m[2])?.[1]]));
  const writtenRoles = [...roleToPolicy.keys()].sort();

  const uses: VaultUse[] = [];
  const problems: string[] = [];
  const allRoles: string[] = [];
  for (const c of consumers(platform)) {
    if (c.address.includes('config_map')) continue;
    const roles = uniq([
      ...[...c.text.matchAll(/"vault\.hashicorp\.com\/role":\s*"([a-z0-9-]+)"/g)].map((m) => m[1]),
      ...[...c.text.matchAll(/auth\/kubernetes\/login role=([a-z0-9-]+)/g)].map((m) => m[1]),
    ]).filter((r) => r !== CONFIGURE_ROLE);
    if (roles.length === 0) continue;
    allRoles.push(...roles);
    const add = (path: string, capability: VaultUse['capability']) => uses.push({ consumer: c.address, roles, path, capability });
    for (const m of c.text.matchAll(/"vault\.hashicorp\.com\/agent-inject-secret-[a-z0-9.-]+":\s*"([a-z0-9/_-]+)"/g)) add(m[1], 'read');
    for (const m of c.text.matchAll(/vault kv put -mount=secret ([a-z0-9/_-]+)/g)) add(`secret/data/${m[1]}`, 'create');
    if (/vault operator raft snapshot save/.test(c.text)) add('sys/storage/raft/snapshot', 'read');
    // A rollback of a running Vault through the job's role (`-force` runs on a fresh Vault with a throwaway root token).
    if (/vault operator raft snapshot restore "/.test(c.text)) add('sys/storage/raft/snapshot', 'update');
  }
  const roles = uniq(allRoles);
  for (const role of roles) {
    if (!roleToPolicy.has(role)) problems.push(`role ${role} is used but vault-configure does not write auth/kubernetes/role/${role}`);
    else if (!writtenPolicies.includes(roleToPolicy.get(role)!)) problems.push(`role ${role}'s policy ${roleToPolicy.get(role)} is not written by vault-configure`);
  }
  for (const u of uses) {
    const granted = u.roles.some((r) => {
      const policy = roleToPolicy.get(r);
      return policy !== undefined && writtenPolicies.includes(policy) && (policies.get(policy)?.get(u.path)?.has(u.capability) ?? false);
    });
    if (!granted) problems.push(`${u.consumer}: ${u.capability} on ${u.path} is granted by no policy vault-configure writes for ${u.roles.join(', ')}`);
  }
  const secretUses = uses.filter((u) => u.path.startsWith('secret/'));
  if (secretUses.length > 0 && !/vault secrets enable -path=secret -version=2 kv/.test(script)) problems.push('the secret/ KV v2 mount is not ensured by vault-configure');
  if (!/vault auth enable kubernetes/.test(script) || !/vault write auth\/kubernetes\/config /.test(script)) problems.push('the kubernetes auth method is not ensured by vault-configure');
  if (!/vault audit enable file/.test(script)) problems.push('the audit device is not ensured by vault-configure');
  if (!configMap) problems.push('no vault-configure ConfigMap in the stack');

  const written = uniq(secretUses.filter((u) => u.capability !== 'read').map((u) => u.path));
  const read = uniq(secretUses.filter((u) => u.capability === 'read').map((u) => u.path));
  return {
    roles,
    writtenPolicies,
    writtenRoles,
    uses,
    secretsWithoutSource: read.filter((p) => !written.includes(p)),
    syncedSecrets: written,
    problems,
    schedule,
  };
}

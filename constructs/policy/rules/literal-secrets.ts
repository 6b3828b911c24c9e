import { PolicyRule, fromProblems } from '../types';
import { asList, block, isReference } from '../util';

/** Keys whose value is a credential (compared lower-case without separators, by suffix). */
const SENSITIVE_SUFFIXES = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'privatekey', 'secretkey', 'accesskey', 'credentials', 'clientsecret', 'connectionstring', 'dsn'];
/** Keys that name where a credential lives (a secret's name or key, a file), not the credential. */
const REFERENCE_MARKERS = ['existing', 'ref', 'name', 'file', 'path', 'mount', 'enabled', 'length', 'ttl', 'type', 'rotation', 'arn'];

/** Values that are a credential whatever their key. */
const VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN (RSA |EC |OPENSSH |DSA |ENCRYPTED )?PRIVATE KEY-----/, 'a PEM private key'],
  [/\b(postgres(ql)?|mongodb(\+srv)?|redis|rediss|mysql|amqp):\/\/[^:\s/@]+:[^@\s$]+@/, 'a connection string with an inline password'],
  [/\bgh[pousr]_[A-Za-z0-9]{36}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
];

function normalize(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** isSensitiveKey by key: the same few hundred keys recur in every synth. */
const sensitiveKeys = new Map<string, boolean>();

/** Whether `key` names a credential value (not a reference to one). */
export function isSensitiveKey(key: string): boolean {
  let sensitive = sensitiveKeys.get(key);
  if (sensitive === undefined) {
    sensitive = sensitiveKey(key);
    sensitiveKeys.set(key, sensitive);
  }
  return sensitive;
}

function sensitiveKey(key: string): boolean {
  // The Vault agent injector's annotations name a Kubernetes Secret (`tls-secret`) or a Vault path
  // (`agent-inject-secret-<file>`): where a credential lives, never the credential itself.
  if (key.startsWith('vault.hashicorp.com/')) return false;
  const k = normalize(key);
  if (!SENSITIVE_SUFFIXES.some((s) => k.endsWith(s))) return false;
  return !REFERENCE_MARKERS.some((m) => k.includes(m) && !SENSITIVE_SUFFIXES.some((s) => s.includes(m) && k.endsWith(s)));
}

function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !isReference(value);
}

/** Text that one of VALUE_PATTERNS could match contains one of these (a cheap test first). */
const VALUE_HINT = /AKIA|PRIVATE KEY|:\/\/|gh[pousr]_|xox[abprs]-/;

/** A path in the tree, joined only where something is reported (most of a synth's values are clean). */
type Path = { readonly parent?: Path; readonly part: string; readonly kind: 'key' | 'index' | 'json' };

function joinPath(path: Path | undefined): string {
  if (path === undefined) return '';
  const head = joinPath(path.parent);
  if (path.kind === 'index') return `${head}[${path.part}]`;
  if (path.kind === 'json') return `${head}(json)`;
  return head ? `${head}.${path.part}` : path.part;
}

/** Every literal credential in a JSON tree, as `path: what`. */
export function findLiteralSecrets(value: unknown, path: string, out: string[] = []): string[] {
  walk(value, path === '' ? undefined : { part: path, kind: 'key' }, out);
  return out;
}

function walk(value: unknown, path: Path | undefined, out: string[]): void {
  if (typeof value === 'string') {
    if (VALUE_HINT.test(value)) {
      for (const [pattern, what] of VALUE_PATTERNS) {
        if (pattern.test(value)) out.push(`${joinPath(path)}: ${what}`);
      }
    }
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        // not JSON: the value patterns above were applied to the raw text
        return;
      }
      walk(parsed, { parent: path, part: '', kind: 'json' }, out);
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => walk(v, { parent: path, part: String(i), kind: 'index' }, out));
    return;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const at: Path = { parent: path, part: key, kind: 'key' };
      if (isSensitiveKey(key) && isLiteral(v)) out.push(`${joinPath(at)}: literal value`);
      else walk(v, at, out);
    }
  }
}

/** TAI-SEC-1: no credential literals anywhere. */
export const literalSecrets: PolicyRule = {
  id: 'TAI-SEC-1',
  title: 'No literal passwords, tokens or keys in any resource',
  explanation:
    'No resource argument (including Helm values and Kubernetes secret data) holds a literal ' +
    'credential: keys named like password/secret/token/api key carry only references ' +
    '(`${...}`, existing secret names) and no value looks like an AWS key, a private key, a ' +
    'token or a connection string with a password (DATA-5). Credentials are generated in the ' +
    'cluster or read from Vault / Secrets Manager at run time.',
  references: { checkov: ['CKV_SECRET_2', 'CKV_SECRET_6', 'CKV_SECRET_13', 'CKV_SECRET_14', 'CKV_AWS_41', 'CKV_AWS_46'], cdkNag: [] },
  resourceTypes: '*',
  check(resource) {
    const problems = findLiteralSecrets(resource.config, '');
    if (resource.type === 'helm_release') {
      // `set { name = "auth.password", value = "..." }`: the key is in `name`, the literal in `value`.
      for (const field of ['set', 'set_sensitive']) {
        for (const entry of asList<Record<string, unknown>>(resource.config[field])) {
          const last = String(entry?.name ?? '').split('.').pop() ?? '';
          if (isSensitiveKey(last) && isLiteral(entry?.value)) problems.push(`${field} ${entry.name}: literal value`);
        }
      }
    }
    if (/^kubernetes_secret(_v1)?$/.test(resource.type)) {
      for (const field of ['data', 'binary_data']) {
        for (const [k, v] of Object.entries(block(resource.config[field]))) {
          if (isLiteral(v)) problems.push(`${field}.${k}: literal secret data`);
        }
      }
    }
    return fromProblems([...new Set(problems)]);
  },
};

/**
 * The pure part of the reviewer diff: two sets of synthesized stacks (base and head) in, a
 * structured comparison with flags out, and its Markdown rendering. No file system, no git:
 * scripts/review-diff.ts does the synthesizing; tests feed it synthesized fixtures.
 */
import { FORCE_NEW, STATEFUL_TYPES, forcesReplacement } from './force-new';

export type Json = { [key: string]: any };
/** Synthesized stacks by name (`cdktf.out/stacks/<name>/cdk.tf.json`, parsed). */
export type SynthSet = Readonly<Record<string, Json>>;

export interface ResourceView {
  readonly address: string;
  readonly type: string;
  readonly path: string;
  readonly config: Json;
  /** Policy suppressions the policy pack recorded under `//` (rule and reason). */
  readonly suppressions: ReadonlyArray<{ readonly rule: string; readonly reason: string }>;
}

export interface AttributeChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly path: string;
  readonly changes: readonly AttributeChange[];
}

export type FlagKind = 'rename' | 'moved' | 'replace' | 'protected' | 'security' | 'data-safety' | 'suppression';

export interface Flag {
  /** Stable id reviewers acknowledge: `<kind>:<stack>/<address>[#<attribute>]`. */
  readonly id: string;
  readonly kind: FlagKind;
  readonly stack: string;
  readonly message: string;
}

export interface StackDiff {
  readonly stack: string;
  readonly status: 'added' | 'removed' | 'changed' | 'unchanged';
  readonly added: readonly ResourceView[];
  readonly removed: readonly ResourceView[];
  readonly changed: readonly ResourceChange[];
  readonly renamed: ReadonlyArray<{ readonly from: ResourceView; readonly to: ResourceView }>;
  /**
   * Resources a `moved` block of the head carries from a base address to a new one: Terraform
   * moves the object in state instead of destroying and re-creating it; `changes` is what the
   * apply then changes on it (empty for a pure move).
   */
  readonly moved: readonly MovedResource[];
  /** Added resources an `import` block of the head adopts: Terraform imports them, nothing is created. */
  readonly imported: readonly ResourceView[];
}

export interface MovedResource extends ResourceChange {
  /** The base address the `moved` block names as `from`. */
  readonly from: string;
}

/** A `moved` block of a synthesized stack (cdktf's `moveTo`/`moveFromId`, or an override). */
export interface MoveBlock {
  readonly from: string;
  readonly to: string;
}

/** The `moved` blocks of a synthesized stack. */
export function movesOf(json: Json | undefined): MoveBlock[] {
  const raw = json?.moved;
  const list: unknown[] = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  return list
    .filter((m): m is Json => !!m && typeof m === 'object' && typeof (m as Json).from === 'string' && typeof (m as Json).to === 'string')
    .map((m) => ({ from: m.from, to: m.to }));
}

/** The addresses the `import` blocks of a synthesized stack adopt. */
export function importsOf(json: Json | undefined): Set<string> {
  const raw = json?.import;
  const list: unknown[] = Array.isArray(raw) ? raw : [];
  return new Set(list.filter((m): m is Json => !!m && typeof m === 'object' && typeof (m as Json).to === 'string').map((m) => m.to));
}

export interface DiffReport {
  readonly stacks: readonly StackDiff[];
  readonly flags: readonly Flag[];
}

/** The resources of one synthesized stack by address, without cdktf's `//` metadata. */
export function resourcesOf(json: Json | undefined): Map<string, ResourceView> {
  const out = new Map<string, ResourceView>();
  for (const [type, byName] of Object.entries<Json>(json?.resource ?? {})) {
    for (const [name, raw] of Object.entries<Json>(byName)) {
      const { ['//']: meta, ...config } = raw ?? {};
      out.set(`${type}.${name}`, {
        address: `${type}.${name}`,
        type,
        path: String(meta?.metadata?.path ?? `${type}.${name}`),
        config,
        suppressions: Array.isArray(meta?.policy_suppressions) ? meta.policy_suppressions : [],
      });
    }
  }
  return out;
}

/** Parses attribute strings that hold JSON documents (IAM policies, Helm values) so they diff by field. */
function expand(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if (!((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']')))) return value;
  try {
    return { '(json)': JSON.parse(t) };
  } catch {
    return value;
  }
}

/** Leaf values by flattened path: `a.b[0].c`; JSON strings are expanded as `attr(json).field`. */
export function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  const v = expand(value);
  if (Array.isArray(v)) {
    if (v.length === 0) out.set(prefix, []);
    v.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (entries.length === 0 && prefix) out.set(prefix, {});
    for (const [k, item] of entries) {
      const key = k === '(json)' ? `${prefix}(json)` : prefix ? `${prefix}.${k}` : k;
      flatten(item, key, out);
    }
  } else if (v !== undefined) {
    out.set(prefix, v);
  }
  return out;
}

export function attributeChanges(before: Json, after: Json): AttributeChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const out: AttributeChange[] = [];
  for (const k of keys) {
    const x = a.get(k);
    const y = b.get(k);
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ path: k, before: x, after: y });
  }
  return out;
}

/** The attribute path without JSON-expansion and list indexes (`ingress.cidr_blocks`). */
function attributeName(path: string): string {
  return path.replace(/\(json\).*$/, '').replace(/\[\d+\]/g, '');
}

const SECURITY_TYPES = /^(aws_security_group|aws_security_group_rule|aws_vpc_security_group_(ingress|egress)_rule|aws_default_security_group|aws_network_acl|aws_iam_|aws_wafv2_|aws_kms_key_policy|aws_s3_bucket_policy|aws_s3_bucket_public_access_block|aws_s3_bucket_server_side_encryption_configuration|aws_eks_access_|aws_lb_listener|aws_acm_certificate|kubernetes_(cluster_)?role|kubernetes_network_policy|kubernetes_namespace)/;
const SECURITY_ATTRIBUTES = /(^|[._])(encrypt|encryption|kms|sse|ssl|tls|public|cidr|ingress|egress|policy|principal|security_group|endpoint_public_access|auth|certificate|privileged|run_as|allow_privilege_escalation|host_network|host_pid|capabilities|pod-security)/i;
const DATA_SAFETY_ATTRIBUTES = /(versioning|object_lock|deletion_protection|prevent_destroy|retention|reclaim_policy|deletion_window|skip_final_snapshot|backup|force_destroy|expiration)/i;
const WORLD = /(^|[^0-9])0\.0\.0\.0\/0|::\/0/;

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

/** Lines of a text change shown at most, per attribute. */
const TEXT_DIFF_LINES = 40;

/**
 * The changed lines of `before` -> `after` (longest common subsequence of lines): `- ` removed,
 * `+ ` added, unchanged lines left out, at most TEXT_DIFF_LINES. For scripts, configuration
 * files and policy documents, whose first characters are the same on both sides.
 */
export function lineDiff(before: string, after: string): string[] {
  let a = before.split('\n');
  let b = after.split('\n');
  // The common first and last lines are unchanged: only the middle is compared.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  a = a.slice(head, a.length - tail);
  b = b.slice(head, b.length - tail);
  const cap = (out: string[]) => (out.length > TEXT_DIFF_LINES ? [...out.slice(0, TEXT_DIFF_LINES), `... and ${out.length - TEXT_DIFF_LINES} more changed lines`] : out);
  // A middle too large for the table (a whole generated file rewritten): all of it removed and added.
  if (a.length * b.length > 1_000_000) return cap([...a.map((l) => `- ${l}`), ...b.map((l) => `+ ${l}`)]);
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: string[] = [];
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return cap(out);
}

/**
 * The Markdown lines of one attribute change: `- \`path\`: before → after`, or, for a text of several
 * lines or longer than `show` prints (a script, a configuration file), its changed lines in a
 * fenced diff block under the item, which a reviewer can read where `show` would cut both sides.
 */
function changeLines(ch: AttributeChange, indent: string): string[] {
  const { before, after } = ch;
  const long = (v: unknown) => typeof v === 'string' && (v.includes('\n') || v.length > 120);
  if (typeof before !== 'string' || typeof after !== 'string' || !(long(before) || long(after))) {
    return [`${indent}- \`${ch.path}\`: ${show(before)} → ${show(after)}`];
  }
  const lines = lineDiff(before, after);
  const fence = '`'.repeat(Math.max(3, ...[...`${before}\n${after}`.matchAll(/`+/g)].map((m) => m[0].length + 1)));
  return [`${indent}- \`${ch.path}\`: text changed (lines removed -, added +):`, `${indent}  ${fence}diff`, ...lines.map((l) => `${indent}  ${l}`), `${indent}  ${fence}`];
}

/** Replaces interpolated addresses according to `renames` (new address -> old address). */
function canonical(config: Json, renames: Map<string, string>): string {
  let text = JSON.stringify(config);
  for (const [to, from] of renames) text = text.split(`\${${to}.`).join(`\${${from}.`);
  return text;
}

/** Pairs removed and added resources of the same type whose configuration is the same. */
function findRenames(removed: ResourceView[], added: ResourceView[]): Array<{ from: ResourceView; to: ResourceView }> {
  const pairs: Array<{ from: ResourceView; to: ResourceView }> = [];
  const renames = new Map<string, string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const to of added) {
      if (pairs.some((p) => p.to === to)) continue;
      const target = canonical(to.config, renames);
      const from = removed.find((r) => r.type === to.type && !pairs.some((p) => p.from === r) && canonical(r.config, new Map()) === target);
      if (from) {
        pairs.push({ from, to });
        renames.set(to.address, from.address);
        progress = true;
      }
    }
  }
  return pairs;
}

/**
 * Why an added resource needs a reviewer's eye, or undefined. Additions that only harden (bucket
 * policies, public access blocks, encryption settings) are listed but not flagged.
 */
function additionRisk(r: ResourceView): string | undefined {
  const leaves = [...flatten(r.config).entries()];
  const open = leaves.filter(([k, v]) => typeof v === 'string' && WORLD.test(v) && /cidr|ingress/i.test(k) && !/egress/i.test(k));
  if (open.length > 0) return `opens ${open.map(([k, v]) => `${k} = ${v}`).join(', ')} to the internet`;
  if (/^aws_iam_(policy|role_policy|user_policy|group_policy)$/.test(r.type) || r.type === 'aws_iam_role') {
    const wild = leaves.filter(([k, v]) => /(Action|Resource)(\[\d+\])?$/.test(k) && typeof v === 'string' && (v === '*' || v.endsWith(':*')));
    if (wild.length > 0) return `grants wildcards (${wild.slice(0, 4).map(([k, v]) => `${k.replace(/^.*\(json\)\./, '')} = ${v}`).join(', ')}${wild.length > 4 ? ', ...' : ''})`;
  }
  if (/_policy_attachment$/.test(r.type) && /(AdministratorAccess|FullAccess|PowerUserAccess)$/.test(String(r.config.policy_arn))) return `attaches ${r.config.policy_arn}`;
  if (/^aws_eks_access_(entry|policy_association)$/.test(r.type)) return 'grants access to the Kubernetes API';
  if (/^kubernetes_cluster_role_binding/.test(r.type)) return 'binds a cluster-wide role';
  if ((r.type === 'aws_lb' || r.type === 'aws_alb') && r.config.internal !== true) return 'an internet-facing load balancer';
  if (r.type === 'aws_eks_cluster' && r.config.vpc_config?.endpoint_public_access !== false) return 'a cluster with a public API endpoint';
  return undefined;
}

function isProtected(r: ResourceView): boolean {
  const lc = r.config.lifecycle;
  return lc?.prevent_destroy === true || lc?.prevent_destroy === 'true';
}

/** Compares base and head stack by stack. */
export function compare(base: SynthSet, head: SynthSet): DiffReport {
  const stacks: StackDiff[] = [];
  const flags: Flag[] = [];
  const names = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  for (const stack of names) {
    const a = resourcesOf(base[stack]);
    const b = resourcesOf(head[stack]);
    // A moved block carries a base object to a new address: a move in state, not a destroy and create.
    const moves = movesOf(head[stack]);
    const movedPairs = moves.filter((m) => a.has(m.from) && !b.has(m.from) && b.has(m.to) && !a.has(m.to));
    const movedFrom = new Set(movedPairs.map((m) => m.from));
    const movedTo = new Set(movedPairs.map((m) => m.to));
    const removedAll = [...a.values()].filter((r) => !b.has(r.address) && !movedFrom.has(r.address));
    const addedAll = [...b.values()].filter((r) => !a.has(r.address) && !movedTo.has(r.address));
    const renamed = findRenames(removedAll, addedAll);
    const removed = removedAll.filter((r) => !renamed.some((p) => p.from === r));
    const imports = importsOf(head[stack]);
    const addedOrImported = addedAll.filter((r) => !renamed.some((p) => p.to === r));
    const added = addedOrImported.filter((r) => !imports.has(r.address));
    const imported = addedOrImported.filter((r) => imports.has(r.address));
    // References to a moved object name its new address; after the move they resolve to the same object.
    const movedBack = new Map(movedPairs.map((m) => [m.to, m.from]));
    const asBase = (config: Json): Json => (movedBack.size === 0 ? config : JSON.parse(canonical(config, movedBack)));
    const changed: ResourceChange[] = [];
    for (const [address, before] of a) {
      const after = b.get(address);
      if (!after) continue;
      const changes = attributeChanges(before.config, asBase(after.config));
      if (changes.length > 0) changed.push({ address, type: after.type, path: after.path, changes });
    }
    const moved: MovedResource[] = movedPairs.map((m) => {
      const after = b.get(m.to)!;
      return { from: m.from, address: m.to, type: after.type, path: after.path, changes: attributeChanges(a.get(m.from)!.config, asBase(after.config)) };
    });
    const total = removed.length + added.length + changed.length + renamed.length + moved.length + imported.length;
    const status = !base[stack] ? 'added' : !head[stack] ? 'removed' : total === 0 ? 'unchanged' : 'changed';
    stacks.push({ stack, status, added, removed, changed, renamed, moved, imported });
    flags.push(...flagsFor(stack, { added, removed, changed, renamed, moved }, a));
    // A moved block Terraform rejects, or one that moves an object onto another type, is a reviewer's problem.
    for (const m of moves) {
      if (b.has(m.from)) {
        flags.push({ id: `moved:${stack}/${m.from}`, kind: 'moved', stack, message: `a moved block moves \`${m.from}\` to \`${m.to}\`, but \`${m.from}\` is still declared: Terraform rejects the plan.` });
      } else if (a.has(m.from) && !b.has(m.to)) {
        flags.push({ id: `moved:${stack}/${m.from}`, kind: 'moved', stack, message: `a moved block moves \`${m.from}\` to \`${m.to}\`, which is not declared: Terraform rejects the plan, or the object is destroyed once the block goes.` });
      } else if (a.has(m.from) && a.has(m.to)) {
        flags.push({ id: `moved:${stack}/${m.from}`, kind: 'moved', stack, message: `a moved block moves \`${m.from}\` onto \`${m.to}\`, which the base already has: Terraform rejects the plan.` });
      }
    }
    // A new policy suppression is an exception a reviewer must accept explicitly.
    for (const r of b.values()) {
      const previous = a.get(r.address) ?? renamed.find((p) => p.to === r)?.from ?? a.get(moved.find((m) => m.address === r.address)?.from ?? '');
      for (const s of r.suppressions) {
        if (previous?.suppressions.some((p) => p.rule === s.rule && p.reason === s.reason)) continue;
        const id = `suppression:${stack}/${r.address}#${s.rule}`;
        flags.push({ id, kind: 'suppression', stack, message: `\`${r.path}\` (${r.type}) suppresses policy rule ${s.rule}: "${s.reason}"` });
      }
    }
  }
  return { stacks, flags };
}

function flagsFor(stack: string, d: Pick<StackDiff, 'added' | 'removed' | 'changed' | 'renamed' | 'moved'>, before: Map<string, ResourceView>): Flag[] {
  const flags: Flag[] = [];
  const add = (kind: FlagKind, address: string, message: string, attribute?: string) => {
    const id = `${kind}:${stack}/${address}${attribute ? `#${attribute}` : ''}`;
    if (!flags.some((f) => f.id === id)) flags.push({ id, kind, stack, message });
  };
  for (const { from, to } of d.renamed) {
    add('rename', from.address, `\`${from.path}\` became \`${to.path}\` (${to.address}): same ${to.type} under a new construct id, so Terraform destroys and re-creates it${isProtected(from) ? ' — and it is protected (prevent_destroy), so the apply will fail' : ''}. Keep the old id or add a moved block.`);
  }
  for (const r of d.removed) {
    if (isProtected(r)) add('protected', r.address, `\`${r.path}\` (${r.type}) is protected by prevent_destroy and is removed from the configuration: the apply will fail, or destroy it once the protection is dropped.`);
    else if (STATEFUL_TYPES.has(r.type)) add('data-safety', r.address, `\`${r.path}\` (${r.type}) holds state and is destroyed.`);
    if (SECURITY_TYPES.test(r.type)) add('security', r.address, `\`${r.path}\` (${r.type}) is removed.`);
  }
  for (const r of d.added) {
    const risk = additionRisk(r);
    if (risk) add('security', r.address, `\`${r.path}\` (${r.type}) is added: ${risk}.`);
  }
  // A moved resource's changes are judged like any change: against the object it was before the move.
  const changedOrMoved: Array<ResourceChange & { from?: string }> = [...d.changed, ...d.moved.filter((m) => m.changes.length > 0)];
  for (const c of changedOrMoved) {
    const old = before.get(c.from ?? c.address)!;
    const kindOfType = STATEFUL_TYPES.has(c.type)
      ? 'stateful'
      : /^aws_(vpc|subnet|nat_gateway|eip|internet_gateway|route|security_group|vpc_endpoint|flow_log|lb|alb|acm_|route53_|wafv2_)/.test(c.type)
        ? 'network'
        : c.type === 'aws_eks_node_group'
          ? 'node pool: every node is drained and replaced'
          : 'resource';
    for (const ch of c.changes) {
      const name = attributeName(ch.path);
      if (forcesReplacement(c.type, name)) {
        add('replace', c.address, `\`${c.path}\` (${c.type}, ${kindOfType}): ${name} ${show(ch.before)} → ${show(ch.after)} forces replacement (destroy and re-create).`, name);
      }
    }
    if (isProtected(old)) {
      const lost = c.changes.some((ch) => ch.path.startsWith('lifecycle.prevent_destroy'));
      add('protected', c.address, lost
        ? `\`${c.path}\` (${c.type}) loses prevent_destroy: it can now be destroyed by an apply.`
        : `\`${c.path}\` (${c.type}) is protected (prevent_destroy) and changes: ${c.changes.map((x) => x.path).slice(0, 5).join(', ')}${c.changes.length > 5 ? ', ...' : ''}.`);
    }
    const safety = c.changes.filter((ch) => DATA_SAFETY_ATTRIBUTES.test(ch.path) && !ch.path.startsWith('lifecycle.prevent_destroy'));
    if (safety.length > 0) add('data-safety', c.address, `\`${c.path}\` (${c.type}): ${safety.map((ch) => `${ch.path} ${show(ch.before)} → ${show(ch.after)}`).join('; ')}.`);
    const security = c.changes.filter((ch) => SECURITY_TYPES.test(c.type) || SECURITY_ATTRIBUTES.test(ch.path));
    if (security.length > 0) {
      const world = security.some((ch) => typeof ch.after === 'string' && WORLD.test(ch.after));
      add('security', c.address, `\`${c.path}\` (${c.type})${world ? ' is opened to the internet (0.0.0.0/0)' : ''}: ${security.slice(0, 6).map((ch) => `${ch.path} ${show(ch.before)} → ${show(ch.after)}`).join('; ')}${security.length > 6 ? `; and ${security.length - 6} more` : ''}.`);
    }
  }
  return flags;
}

/** Acknowledgments: exact flag ids, or prefixes ending in `*`. */
export function isAcknowledged(flag: Flag, acks: readonly string[]): boolean {
  return acks.some((a) => (a.endsWith('*') ? flag.id.startsWith(a.slice(0, -1)) : flag.id === a));
}

/** Parses an ACKNOWLEDGED_CHANGES file: one flag id per line (text after the id is the reason), `#` comments. */
export function parseAcknowledgments(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*$/, '').trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/)[0]);
}

export interface RenderOptions {
  readonly baseLabel: string;
  readonly headLabel: string;
  readonly acknowledged: readonly string[];
}

/** The Markdown comment for a pull request. */
export function renderMarkdown(report: DiffReport, o: RenderOptions): string {
  const lines: string[] = [`## Infrastructure diff: \`${o.baseLabel}\` → \`${o.headLabel}\``, ''];
  const pending = report.flags.filter((f) => !isAcknowledged(f, o.acknowledged));
  lines.push('| stack | status | added | removed | changed | renamed | moved | imported | flags |', '|---|---|---|---|---|---|---|---|---|');
  for (const s of report.stacks) {
    const n = report.flags.filter((f) => f.stack === s.stack).length;
    lines.push(`| ${s.stack} | ${s.status} | ${s.added.length} | ${s.removed.length} | ${s.changed.length} | ${s.renamed.length} | ${s.moved.length} | ${s.imported.length} | ${n} |`);
  }
  lines.push('');
  if (report.flags.length === 0) {
    lines.push('No flagged change (no rename, bad move, replacement, protected resource, security or data-safety change).');
  } else {
    lines.push(`### Flags (${pending.length} unacknowledged of ${report.flags.length})`, '');
    for (const f of report.flags) {
      const ack = isAcknowledged(f, o.acknowledged);
      lines.push(`- ${ack ? '✅' : '⚠️'} **${f.kind}** \`${f.id}\`: ${f.message}${ack ? ' _(acknowledged)_' : ''}`);
    }
    if (pending.length > 0) {
      lines.push('', 'Acknowledge each reviewed flag by adding its id to `ACKNOWLEDGED_CHANGES` (one per line, with a reason) or with `--ack <id>`.');
    }
  }
  for (const s of report.stacks.filter((x) => x.status !== 'unchanged')) {
    lines.push('', `### ${s.stack} (${s.status})`, '');
    for (const r of s.renamed) lines.push(`- ↪ renamed \`${r.from.address}\` → \`${r.to.address}\` (\`${r.to.path}\`)`);
    for (const m of s.moved) {
      lines.push(`- 🚚 moved \`${m.from}\` → \`${m.address}\` (\`${m.path}\`)${m.changes.length === 0 ? ': no other change' : ''}`);
      for (const ch of m.changes.slice(0, 25)) lines.push(...changeLines(ch, '  '));
      if (m.changes.length > 25) lines.push(`  - ... and ${m.changes.length - 25} more`);
    }
    for (const r of s.imported) lines.push(`- 📥 imported \`${r.address}\` (\`${r.path}\`): adopted by an import block, nothing is created`);
    for (const r of s.added) lines.push(`- ➕ \`${r.address}\` (\`${r.path}\`)`);
    for (const r of s.removed) lines.push(`- ➖ \`${r.address}\` (\`${r.path}\`)`);
    for (const c of s.changed) {
      lines.push(`- ✏️ \`${c.address}\` (\`${c.path}\`)`);
      for (const ch of c.changes.slice(0, 25)) lines.push(...changeLines(ch, '  '));
      if (c.changes.length > 25) lines.push(`  - ... and ${c.changes.length - 25} more`);
    }
  }
  lines.push(
    '',
    '_Compares synthesized configuration without cloud credentials. The authoritative plan is `cdktf diff <stack>` (terraform plan against real state)._',
  );
  return lines.join('\n');
}

export { FORCE_NEW };

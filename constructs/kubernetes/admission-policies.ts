import { Construct } from 'constructs';
import { ITerraformDependable } from 'cdktf';
import { LocalChartRelease } from '../data/local-chart-release';

/** One rule of a policy's `matchConstraints.resourceRules`. */
export interface AdmissionResourceRule {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly operations: readonly ('CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT' | '*')[];
  /** Resources, `<resource>/<subresource>` for a subresource (`<resource>/*`: all of them). */
  readonly resources: readonly string[];
}

/** A CEL expression that must be true, and the message of the denial when it is not. */
export interface AdmissionValidation {
  readonly expression: string;
  readonly message: string;
}

/** One ValidatingAdmissionPolicy, applied to the requests of one user only. */
export interface UserAdmissionPolicy {
  /** Name of the policy and of its binding (cluster-scoped). */
  readonly name: string;
  /** The user whose requests the policy judges (`matchConditions`); every other user is untouched. */
  readonly user: string;
  readonly resourceRules: readonly AdmissionResourceRule[];
  /** All must be true, or the request is denied; an evaluation error denies it too (`failurePolicy: Fail`). */
  readonly validations: readonly AdmissionValidation[];
}

export interface AdmissionPoliciesProps {
  /** Release name (unique in `namespace`, where Helm keeps the release's record). */
  readonly name: string;
  readonly namespace: string;
  readonly policies: readonly UserAdmissionPolicy[];
  readonly dependsOn?: ITerraformDependable[];
}

/** The user name Kubernetes gives the requests of a service account. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** The matchCondition expression the chart renders for `user` (charts/admission-policies). */
export function userMatchExpression(user: string): string {
  return `request.userInfo.username == '${user}'`;
}

/**
 * `namespace`, checked to be a namespace's literal name: the policies' expressions compare request
 * namespaces with it as text, so a token or reference there could never match.
 */
export function literalNamespace(path: string, namespace: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace)) throw new Error(`${path}: 'namespaceName' must be the namespace's literal name. Got: ${namespace}`);
  return namespace;
}

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const USER = /^[A-Za-z0-9:._@-]+$/;

/**
 * SEC: ValidatingAdmissionPolicies and their bindings (admissionregistration.k8s.io/v1, GA since
 * Kubernetes 1.30), through the local chart charts/admission-policies: the kubernetes provider
 * 12.1.1 has no typed resource for them, and a kubernetes_manifest would need the cluster at plan
 * time (the same reason as the VolumeSnapshotClasses, constructs/kubernetes/volume-snapshot-class.ts).
 * Each policy judges only the requests of one user (`matchConditions` on
 * `request.userInfo.username`), fails closed (`failurePolicy: Fail`) and its binding denies
 * (`validationActions: [Deny]`): what RBAC grants that user cluster-wide, the policy narrows to
 * exactly the objects and changes its job needs.
 */
export class AdmissionPolicies extends Construct {
  readonly release: LocalChartRelease;
  readonly policies: readonly UserAdmissionPolicy[];

  constructor(scope: Construct, id: string, props: AdmissionPoliciesProps) {
    super(scope, id);
    if (props.policies.length === 0) throw new Error(`${this.node.path}: 'policies' must hold at least one policy`);
    for (const p of props.policies) {
      if (!DNS_NAME.test(p.name) || p.name.length > 253) throw new Error(`${this.node.path}: policy name '${p.name}' must be a lower-case DNS name`);
      if (!USER.test(p.user)) throw new Error(`${this.node.path}: policy '${p.name}': user '${p.user}' must be a Kubernetes user name (no quotes or spaces)`);
      if (p.resourceRules.length === 0 || p.validations.length === 0) {
        throw new Error(`${this.node.path}: policy '${p.name}' must match at least one resource rule and hold at least one validation`);
      }
    }
    if (new Set(props.policies.map((p) => p.name)).size !== props.policies.length) throw new Error(`${this.node.path}: policy names must be distinct`);
    this.policies = props.policies;
    this.release = new LocalChartRelease(this, 'release', {
      name: props.name,
      namespace: props.namespace,
      chart: 'admission-policies',
      values: {
        policies: props.policies.map((p) => ({
          name: p.name,
          user: p.user,
          resourceRules: p.resourceRules.map((r) => ({
            apiGroups: [...r.apiGroups],
            apiVersions: [...r.apiVersions],
            operations: [...r.operations],
            resources: [...r.resources],
          })),
          validations: p.validations.map((v) => ({ expression: v.expression, message: v.message })),
        })),
      },
      dependsOn: props.dependsOn,
    });
  }
}

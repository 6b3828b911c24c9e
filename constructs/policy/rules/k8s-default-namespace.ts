import { COMPLIANT, NOT_APPLICABLE, PolicyRule, nonCompliant } from '../types';
import { block } from '../util';

/** Cluster-scoped kubernetes_* resources (no namespace). */
const CLUSTER_SCOPED = /^kubernetes_(namespace|storage_class|cluster_role|cluster_role_binding|priority_class|persistent_volume|csi_driver|runtime_class|validating_webhook_configuration|mutating_webhook_configuration|certificate_signing_request|node_taint|api_service|labels|annotations|manifest|env|config_map_v1_data|default_service_account)(_v\d+)?$/;

/** TAI-K8S-6: never the default namespace. */
export const k8sDefaultNamespace: PolicyRule = {
  id: 'TAI-K8S-6',
  title: 'Nothing is deployed into the default namespace',
  explanation:
    'Namespaced kubernetes_* resources set metadata.namespace, and helm_release sets namespace, to ' +
    'one of the platform namespaces (with their Pod Security labels), never "default" or left ' +
    'empty (which means default).',
  references: { checkov: ['CKV_K8S_21'], cdkNag: [] },
  resourceTypes: '*',
  check(resource) {
    if (resource.type === 'helm_release') {
      const ns = resource.config.namespace;
      return !ns || ns === 'default' ? nonCompliant(`namespace is ${ns ? '"default"' : 'unset (default)'}`) : COMPLIANT;
    }
    if (!resource.type.startsWith('kubernetes_') || CLUSTER_SCOPED.test(resource.type)) return NOT_APPLICABLE;
    const ns = block(resource.config.metadata).namespace;
    return !ns || ns === 'default' ? nonCompliant(`metadata.namespace is ${ns ? '"default"' : 'unset (default)'}`) : COMPLIANT;
  },
};

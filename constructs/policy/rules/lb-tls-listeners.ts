import { COMPLIANT, PolicyRule, nonCompliant } from '../types';
import { block, blocks } from '../util';

/** Security policies accepting TLS 1.2 or later only. */
export function isModernTlsPolicy(policy: unknown): boolean {
  return typeof policy === 'string' && /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/.test(policy);
}

/** TAI-ELB-2: HTTPS only, HTTP redirects. */
export const lbTlsListeners: PolicyRule = {
  id: 'TAI-ELB-2',
  title: 'Load balancer listeners use TLS 1.2+ or redirect HTTP to HTTPS',
  explanation:
    'aws_lb_listener with protocol HTTPS or TLS uses a TLS 1.2+ security policy (ELBSecurityPolicy-' +
    'TLS13-1-2-*, -TLS-1-2-*, -FS-1-2-*) and a certificate; a plain HTTP listener only redirects ' +
    'to HTTPS (LB-1). Plain TCP/UDP listeners are not allowed on the public edge.',
  references: {
    checkov: ['CKV_AWS_2', 'CKV_AWS_103'],
    cdkNag: ['NIST.800.53.R5-ALBHttpToHttpsRedirection', 'NIST.800.53.R5-ELBTlsHttpsListenersOnly'],
  },
  resourceTypes: ['aws_lb_listener', 'aws_alb_listener'],
  check(listener) {
    const c = listener.config;
    const protocol = String(c.protocol ?? 'HTTP').toUpperCase();
    if (protocol === 'HTTPS' || protocol === 'TLS') {
      if (!isModernTlsPolicy(c.ssl_policy)) return nonCompliant(`ssl_policy ${c.ssl_policy ?? '(provider default)'} allows TLS below 1.2`);
      return c.certificate_arn ? COMPLIANT : nonCompliant('no certificate_arn');
    }
    if (protocol === 'HTTP') {
      const actions = blocks(c.default_action);
      const redirect = actions.length > 0 && actions.every((a) => a.type === 'redirect' && String(block(a.redirect).protocol).toUpperCase() === 'HTTPS');
      return redirect ? COMPLIANT : nonCompliant('HTTP listener does not redirect to HTTPS');
    }
    return nonCompliant(`protocol ${protocol} carries traffic without TLS`);
  },
};

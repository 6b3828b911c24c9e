/**
 * LB-3: the security headers of seed 004 ("Security Headers and Policies"), set at the edge so
 * every response carries them whatever the application does: on the load balancer's HTTPS
 * listener (response-header attributes) and in the CDN's response headers policy.
 *
 * The load balancer can set HSTS, X-Content-Type-Options, X-Frame-Options and CSP but not
 * Referrer-Policy (no listener attribute exists for it); the CDN sets all five. The application
 * sets Referrer-Policy itself for responses served through the load balancer (Django's
 * SECURE_REFERRER_POLICY, see the app config in the environment definitions).
 */
export interface SecurityHeaders {
  /** Strict-Transport-Security. */
  readonly strictTransportSecurity: { readonly maxAgeSeconds: number; readonly includeSubdomains: boolean; readonly preload: boolean };
  /** X-Frame-Options. */
  readonly frameOptions: 'DENY' | 'SAMEORIGIN';
  /** Referrer-Policy. */
  readonly referrerPolicy: 'strict-origin-when-cross-origin' | 'no-referrer' | 'same-origin' | 'strict-origin';
  /** Content-Security-Policy. */
  readonly contentSecurityPolicy: string;
}

/** The headers of seed 004, verbatim. */
export const SEED_SECURITY_HEADERS: SecurityHeaders = {
  strictTransportSecurity: { maxAgeSeconds: 63072000, includeSubdomains: true, preload: true },
  frameOptions: 'SAMEORIGIN',
  referrerPolicy: 'strict-origin-when-cross-origin',
  contentSecurityPolicy:
    "default-src 'self'; script-src 'self' 'unsafe-inline' cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' fonts.googleapis.com; " +
    "font-src 'self' fonts.gstatic.com; img-src 'self' data: https:; connect-src 'self' wss: https:;",
};

/** The Strict-Transport-Security header value. */
export function hstsValue(h: SecurityHeaders): string {
  const s = h.strictTransportSecurity;
  return [`max-age=${s.maxAgeSeconds}`, s.includeSubdomains ? 'includeSubDomains' : '', s.preload ? 'preload' : '']
    .filter((p) => p !== '')
    .join('; ');
}

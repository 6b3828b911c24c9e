/**
 * Values that are meant to change nothing in one environment's render, each with its reason.
 * Every other value the program sets must change the rendered output (__tests__/helm-inert.test.ts);
 * an entry that no longer matches an inert value fails the test too, so the list stays honest.
 */
export interface InertAllowance {
  /** Environment name, or '*' for all. */
  readonly environment: string;
  /** helm_release name. */
  readonly release: string;
  /** Dot-joined values path. */
  readonly path: string;
  readonly reason: string;
}

export const INERT_ALLOWLIST: readonly InertAllowance[] = [
  {
    environment: '*',
    release: 'falco',
    path: 'falco.json_output',
    reason:
      'falco 9.1.0 forces json_output on while falcosidekick is enabled; set anyway because Filebeat parses Falco events as JSON, which must not depend on the sidekick staying enabled',
  },
];

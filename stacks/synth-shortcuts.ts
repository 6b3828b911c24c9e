/**
 * The synth's shortcuts, each producing the same JSON for less CPU (determinism.test.ts proves it):
 * token creation stacks are not captured (stacks/token-traces.ts; `TORONTO_AI_TOKEN_STACKS=1`
 * keeps them), and token-free plain data is copied without cdktf's per-value resolution contexts
 * (stacks/plain-resolve.ts; `TORONTO_AI_CDKTF_RESOLVE=1` keeps cdktf's own resolve). main.ts and
 * the tests' setup install them with this one call, so the tests synthesize as the app does.
 */
import { resolvePlainDataFast } from './plain-resolve';
import { skipTokenCreationStacks } from './token-traces';

export function installSynthShortcuts(env: NodeJS.ProcessEnv = process.env): void {
  if (env.TORONTO_AI_TOKEN_STACKS !== '1') skipTokenCreationStacks();
  if (env.TORONTO_AI_CDKTF_RESOLVE !== '1') resolvePlainDataFast();
}

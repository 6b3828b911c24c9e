/**
 * Runs in every test file before its code (jest `setupFiles`). cdktf records the JavaScript stack
 * of every token it creates, only to print it when a token cannot be resolved; under jest, whose
 * source-map support rewrites every captured stack through the source maps of dist/, that capture
 * was about a third of a synthesizing test file's time (`node --cpu-prof`). The tests skip it as
 * the app does (main.ts, stacks/token-traces.ts): the synthesized JSON is the same, and an
 * unresolvable token still fails with its message. `TORONTO_AI_TOKEN_STACKS=1` keeps the stacks.
 */
import { skipTokenCreationStacks } from '../stacks/token-traces';
import { resolvePlainDataFast } from '../stacks/plain-resolve';

if (process.env.TORONTO_AI_TOKEN_STACKS !== '1') skipTokenCreationStacks();
// cdktf's resolve copies token-free plain data without its per-value contexts, as in the app
// (stacks/plain-resolve.ts): the same JSON, less CPU. `TORONTO_AI_CDKTF_RESOLVE=1` keeps cdktf's own.
if (process.env.TORONTO_AI_CDKTF_RESOLVE !== '1') resolvePlainDataFast();

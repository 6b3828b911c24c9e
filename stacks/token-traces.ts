/**
 * cdktf records the full JavaScript stack of every token it creates (`creationStack`, with
 * `Error.stackTraceLimit` raised to its maximum) only to print it when a token cannot be resolved.
 * The program creates tens of thousands of tokens per synth, and capturing their stacks was about
 * an eighth of its time (`node --cpu-prof`, issue 10). `skipTokenCreationStacks` replaces the
 * capture with an empty stack; cdktf reads the function from its module's exports at each call,
 * so the replacement takes effect for every token created afterwards. An unresolvable token still
 * fails the synth with its message, without the creation stack. Set
 * `TORONTO_AI_TOKEN_STACKS=1` (read by stacks/synth-shortcuts.ts) to keep them while debugging.
 */
export function skipTokenCreationStacks(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const traces = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace: (below?: unknown) => string[] };
  traces.captureStackTrace = () => [];
}

/**
 * Runs in every test file before its code (jest `setupFiles`): the synth's shortcuts, as the app
 * installs them (stacks/synth-shortcuts.ts). cdktf records the JavaScript stack of every token it
 * creates, only to print it when a token cannot be resolved; under jest, whose source-map support
 * rewrites every captured stack through the source maps of dist/, that capture was about a third
 * of a synthesizing test file's time (`node --cpu-prof`). The synthesized JSON is the same, and an
 * unresolvable token still fails with its message. `TORONTO_AI_TOKEN_STACKS=1` keeps the stacks,
 * `TORONTO_AI_CDKTF_RESOLVE=1` cdktf's own resolve.
 */
import { installSynthShortcuts } from '../stacks/synth-shortcuts';

installSynthShortcuts();

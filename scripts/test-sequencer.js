/**
 * Jest's test order, long files first, also on a machine that has never run the suite.
 *
 * Jest starts the longest files first when it has their durations from an earlier run (its cache),
 * and otherwise orders by file size. A fresh clone (CI) has no durations, so the inert-value search
 * (the longest file, and a small one) started last and ran alone on one core for two minutes at
 * the end. Files without a recorded duration here get the one below: seconds from a fresh-clone run
 * (`npx jest --json`, 2 cores). Only the order they give matters; a recorded duration still wins,
 * and a failed file still runs first.
 */
const Sequencer = require('@jest/test-sequencer').default;
const { basename } = require('node:path');

const EXPECTED_SECONDS = {
  'helm-inert.test.js': 106,
  'terraform.test.js': 76,
  'review-diff-e2e.test.js': 64,
  'app-command.test.js': 30,
  'state-paths.test.js': 19,
  'helm-render.test.js': 14,
  'determinism.test.js': 9,
  'data-services.test.js': 7,
  'lint.test.js': 7,
  'volume-snapshots.test.js': 8,
  'policy.test.js': 8,
  'recovery-table.test.js': 7,
  'diagram.test.js': 5,
  'admission-policies.test.js': 5,
};
/** Every other file took 1-6 s. */
const OTHER_SECONDS = 3;

/**
 * Files that read the run's whole-app synth (__tests__/synth-cache.ts `synthesizedApp`) and would
 * otherwise start at once with the first file that makes it (the inert-value search), each then
 * synthesizing it (about 5 s of CPU): each starts after one other long file instead, by which time
 * the synth is on disk. Their order among the rest is unchanged.
 */
const AFTER_THE_FIRST_SYNTH = new Set(['terraform.test.js']);

class LongestFirst extends Sequencer {
  time(test) {
    return super.time(test) ?? (EXPECTED_SECONDS[basename(test.path)] ?? OTHER_SECONDS) * 1000;
  }

  sort(tests) {
    const sorted = super.sort(tests);
    const late = sorted.filter((t) => AFTER_THE_FIRST_SYNTH.has(basename(t.path)));
    const rest = sorted.filter((t) => !AFTER_THE_FIRST_SYNTH.has(basename(t.path)));
    // After the first two of the rest: jest's two workers start those, and the next free one takes these.
    return [...rest.slice(0, 2), ...late, ...rest.slice(2)];
  }
}
module.exports = LongestFirst;

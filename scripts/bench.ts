/**
 * `npm run bench`: the performance budgets of the foundation issue, measured on this machine.
 *   - synth of all 8 stacks with the cdktf app command, nothing changed since the last run (<= 2 s):
 *     the app command verifies the output and skips the synth (scripts/app.js)
 *   - after a one-line definition change (reference: incremental type check and a full synth)
 *   - the same from a clean checkout (no dist/, no cdktf.out/) (<= 6 s), peak memory (<= 350 MB)
 *   - the build's type check, cold, tests included (<= 15 s): TypeScript 7's native compiler
 *     (scripts/type-checker.js), with TypeScript 5.9's tsc beside it for reference
 *   - the unchanged synth next to the stock `cdktf init` TypeScript app, run in the same bench
 *     (issue 10: at most a tenth of its time and a fifth of its peak memory)
 *   - the whole test suite, real Terraform included (<= 240 s)   [skip with --no-tests]
 * Peak memory is the maximum resident set of the process tree, read with /usr/bin/time when the
 * machine has it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typeChecker } from './type-checker-api';

const root = join(__dirname, '..', '..');
const TIME = '/usr/bin/time';
const hasTime = existsSync(TIME);

interface Measure {
  seconds: number;
  peakMb?: number;
  ok: boolean;
}

function measure(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Measure {
  const started = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync(TIME, ['-f', '__PEAK_KB__ %M', cmd, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const m = /__PEAK_KB__ (\d+)/.exec(r.stderr ?? '');
  if (r.status !== 0) process.stderr.write(`${cmd} ${args.join(' ')} failed:\n${(r.stdout ?? '').slice(-3000)}${(r.stderr ?? '').slice(-3000)}\n`);
  return { seconds, peakMb: m ? Number(m[1]) / 1024 : undefined, ok: r.status === 0 };
}

function cleanCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  for (const entry of ['main.ts', 'tsconfig.json', 'tsconfig.app.json', 'package.json', 'package-lock.json', 'cdktf.json', 'environments', 'constructs', 'features', 'stacks', 'scripts', '__tests__', 'charts']) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * The stock `cdktf init --template=typescript` app (its files ship in cdktf-cli): one empty stack,
 * run the way its cdktf.json runs it (`npx ts-node main.ts`), with this repository's node_modules.
 */
function templateApp(): string {
  const template = join(root, 'node_modules', 'cdktf-cli', 'bundle', 'templates', 'typescript');
  const dir = mkdtempSync(join(tmpdir(), 'bench-template-'));
  writeFileSync(join(dir, 'main.ts'), readFileSync(join(template, 'main.ts'), 'utf8').replace('{{ $base }}', 'template'));
  cpSync(join(template, 'tsconfig.json'), join(dir, 'tsconfig.json'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function row(name: string, value: string, budget: string, pass: boolean): string {
  return `| ${name} | ${value} | ${budget} | ${pass ? 'ok' : 'OVER BUDGET'} |`;
}

function main(): void {
  const node = process.execPath;
  const outParent = mkdtempSync(join(tmpdir(), 'bench-out-'));
  const env = { ...process.env, CDKTF_OUTDIR: join(outParent, 'cdktf.out') };
  const lines = ['| measure | value | budget | status |', '|---|---|---|---|'];
  let allOk = true;
  const add = (name: string, m: Measure, budgetS: number, budgetMb?: number) => {
    const pass = m.ok && m.seconds <= budgetS && (budgetMb === undefined || m.peakMb === undefined || m.peakMb <= budgetMb);
    allOk &&= pass;
    const mem = m.peakMb !== undefined ? `, peak ${m.peakMb.toFixed(0)} MB` : '';
    lines.push(row(name, `${m.seconds.toFixed(2)} s${mem}`, `<= ${budgetS} s${budgetMb ? `, <= ${budgetMb} MB` : ''}`, pass));
  };

  // Clean checkout: a copy without dist/ or cdktf.out/.
  const clean = cleanCopy();
  const cleanEnv = { ...process.env, CDKTF_OUTDIR: join(clean, 'cdktf.out') };
  add('synth, clean checkout (8 stacks)', measure(node, ['scripts/app.js'], clean, cleanEnv), 6, 350);
  // The everyday case: one definition edited after a synth (incremental type check, full synth).
  const staging = join(clean, 'environments', 'staging.ts');
  writeFileSync(staging, readFileSync(staging, 'utf8').replace("activeColour: 'blue'", "activeColour: 'green'"));
  const edited = measure(node, ['scripts/app.js'], clean, cleanEnv);
  lines.push(row('synth after a one-line definition change (8 stacks)', `${edited.seconds.toFixed(2)} s${edited.peakMb !== undefined ? `, peak ${edited.peakMb.toFixed(0)} MB` : ''}`, 'reference', edited.ok));
  rmSync(clean, { recursive: true, force: true });

  // Unchanged tree: warm once, then measure.
  measure(node, ['scripts/app.js'], root, env);
  const ours = measure(node, ['scripts/app.js'], root, env);
  rmSync(outParent, { recursive: true, force: true });
  add('synth, nothing changed (8 stacks)', ours, 2, 350);

  // Side by side (issue 10): the stock cdktf init TypeScript app, warm (second run), in this run.
  const template = templateApp();
  const templateEnv = { ...process.env, CDKTF_OUTDIR: join(template, 'cdktf.out') };
  measure('npx', ['ts-node', 'main.ts'], template, templateEnv);
  const stock = measure('npx', ['ts-node', 'main.ts'], template, templateEnv);
  rmSync(template, { recursive: true, force: true });
  const mem = (m: Measure) => (m.peakMb !== undefined ? `, peak ${m.peakMb.toFixed(0)} MB` : '');
  lines.push(row('stock `cdktf init` TypeScript app (1 empty stack, `npx ts-node main.ts`)', `${stock.seconds.toFixed(2)} s${mem(stock)}`, 'reference', stock.ok));
  const timeRatio = ours.seconds / stock.seconds;
  const timePass = stock.ok && timeRatio <= 0.1;
  allOk &&= timePass;
  lines.push(row('synth of every environment / stock app: time', `${timeRatio.toFixed(2)}`, '<= 0.10', timePass));
  if (ours.peakMb !== undefined && stock.peakMb !== undefined) {
    const memRatio = ours.peakMb / stock.peakMb;
    const memPass = memRatio <= 0.2;
    allOk &&= memPass;
    lines.push(row('synth of every environment / stock app: peak memory', `${memRatio.toFixed(2)}`, '<= 0.20', memPass));
  }

  // The build's type check (TypeScript 7's native compiler where installed: scripts/type-checker.js),
  // and TypeScript 5.9's tsc on the same project for reference.
  const checker = typeChecker(root);
  const checkArgs = ['-p', 'tsconfig.json', '--noEmit', '--incremental', 'false'];
  add(`type check, cold, tests included (${checker.native ? 'TypeScript 7 native' : 'TypeScript 5.9: native compiler not installed'})`, measure(checker.command, [...checker.args, ...checkArgs], root), 15);
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const reference = measure(node, [tsc, ...checkArgs], root);
  lines.push(row('TypeScript 5.9 `tsc --noEmit`, cold, tests included', `${reference.seconds.toFixed(2)} s${reference.peakMb !== undefined ? `, peak ${reference.peakMb.toFixed(0)} MB` : ''}`, 'reference', reference.ok));

  if (!process.argv.includes('--no-tests')) {
    const jest = require.resolve('jest/bin/jest', { paths: [root] });
    add('test suite (jest, real Terraform included)', measure(node, [jest, '--silent'], root), 240);
  }
  process.stdout.write(`${lines.join('\n')}\n${hasTime ? '' : '(peak memory not measured: /usr/bin/time is not installed)\n'}`);
  if (!allOk) process.exitCode = 1;
}

main();

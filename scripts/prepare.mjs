// npm's `prepare` hook. npm runs it after `npm ci` / `npm install` in this
// repository, before `npm pack`, and when cis-fix is installed from git (npm
// clones, installs the dev dependencies, runs `prepare`, then packs). Only the
// git install needs a build here: `prepack` builds for pack and publish, and
// the repository's own setup (`npm ci` in scripts/setup.sh) is followed by
// `npm run build` anyway, so `npm ci` stays as fast as it was.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const command = process.env.npm_command;

if (command === 'ci' || command === 'pack' || command === 'publish') process.exit(0);
if (!hasTypeScript()) {
  console.error('prepare: TypeScript is not installed (a production install): nothing to build');
  process.exit(0);
}
if (upToDate()) process.exit(0);
const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);

function hasTypeScript() {
  try {
    createRequire(join(root, 'package.json')).resolve('typescript');
    return true;
  } catch {
    return false;
  }
}

/** The build writes oclif.manifest.json last: it is up to date when newer than every input. */
function upToDate() {
  const manifest = join(root, 'oclif.manifest.json');
  if (!existsSync(manifest) || !existsSync(join(root, 'dist'))) return false;
  const built = statSync(manifest).mtimeMs;
  const inputs = [join(root, 'package.json'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), ...filesBelow(join(root, 'src'))];
  return inputs.every((file) => !existsSync(file) || statSync(file).mtimeMs <= built);
}

function filesBelow(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesBelow(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

// `pnpm release:dry`: what `pnpm -r publish` would publish, without publishing.
//
// `pnpm run` exports its own settings to scripts as npm_config_* variables, and npm (which
// pnpm's publish calls) warns about each one it does not know; they are dropped here. npm
// also warns that publishing needs a login: a dry run contacts no registry, so a
// placeholder token stands in for the credentials a real `pnpm release` uses.
import { spawnSync } from 'node:child_process';

const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
env['npm_config_//registry.npmjs.org/:_authToken'] = 'dry-run-placeholder';
const result = spawnSync('pnpm', ['-r', 'publish', '--dry-run', '--no-git-checks'], { env, stdio: 'inherit' });
process.exit(result.status ?? 1);

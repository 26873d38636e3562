'use strict';
/**
 * `npm run bench` step 2 (after `npm run build`): compiles bench/**.ts into bench/dist/bench/ with
 * the compiler options of tsconfig.bench.json, one file at a time (the project builds with
 * isolatedModules, so per-file transpiling is sound; `npm run typecheck` type-checks bench/).
 * The product is NOT compiled again: bench/dist/src is a link to dist/src, so the bench module's
 * `import ... from '../../src/auth/index'` loads the production build of `npm run build`.
 */
const { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');
const ts = require('typescript');

const root = resolve(__dirname, '..');
const configPath = join(root, 'tsconfig.bench.json');
const read = ts.readConfigFile(configPath, ts.sys.readFile);
if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, configPath);
const outDir = parsed.options.outDir ?? join(root, 'bench', 'dist');
if (!existsSync(join(root, 'dist', 'src', 'app.module.js'))) {
  process.stderr.write('dist/src/app.module.js is missing: run `npm run build` first\n');
  process.exit(1);
}

rmSync(outDir, { recursive: true, force: true });
// The package is CommonJS (no "type": "module"): the bench compiles to CommonJS like dist/ does.
const options = { ...parsed.options, module: ts.ModuleKind.CommonJS, noEmit: false };
for (const name of ['moduleResolution', 'outDir', 'rootDir']) delete options[name];
let count = 0;
for (const file of parsed.fileNames) {
  if (!file.endsWith('.ts') || file.endsWith('.d.ts')) continue;
  const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: options, fileName: file, reportDiagnostics: true });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(`${relative(root, file)}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, output.outputText);
  count += 1;
}
symlinkSync(relative(outDir, join(root, 'dist', 'src')), join(outDir, 'src'), 'dir');
process.stderr.write(`bench: compiled ${count} files into ${relative(root, outDir)}/ (src -> dist/src)\n`);

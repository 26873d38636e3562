import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** Where the service keeps PostgreSQL's binaries and clusters when it runs as root. */
export const DEFAULT_SERVICE_DIR = '/var/lib/nest-auth-backend';

export interface OsUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** Where one embedded cluster's pieces are, and as whom its processes run. */
export interface ClusterLayout {
  /** Holds initdb and postgres. */
  readonly binDir: string;
  /** PGDATA. */
  readonly dataDir: string;
  /** The superuser password (mode 0600), kept beside the cluster. */
  readonly passwordFile: string;
  /** Working folder of the server processes: one they can reach. */
  readonly workDir: string;
  /** Set when running as root: PostgreSQL refuses root and runs as this user. */
  readonly osUser: OsUser | undefined;
}

const OS_USER = 'postgres';
const execFileAsync = promisify(execFile);

/**
 * As an ordinary user the cluster lives in `requestedDataDir` and runs the package's binaries in
 * place. As root it cannot: PostgreSQL runs as the `postgres` OS user, which usually cannot reach
 * a clone under /root nor its node_modules. Then the service prepares `serviceDir` (root-owned,
 * 0711), copies the binaries there once per version, and keeps the cluster in
 * `serviceDir/clusters/<path-slug>-<hash of requestedDataDir>`, so two clones never share one. A
 * cluster created in place by an earlier version keeps being used where it is.
 */
export async function prepareLayout(requestedDataDir: string, serviceDir: string, log: (line: string) => void): Promise<ClusterLayout> {
  const nativeDir = packageNativeDir();
  if (process.getuid?.() !== 0) {
    await mkdir(dirname(requestedDataDir), { recursive: true });
    return {
      binDir: join(nativeDir, 'bin'),
      dataDir: requestedDataDir,
      passwordFile: `${requestedDataDir}.password`,
      workDir: dirname(requestedDataDir),
      osUser: undefined,
    };
  }

  const osUser = await ensureOsUser(log);
  await ensureRootOwnedDir(serviceDir);
  await assertReachable(serviceDir, osUser, 'the embedded PostgreSQL service folder (EMBEDDED_POSTGRES_DIR)');
  const binDir = await installBinaries(nativeDir, serviceDir, log);

  if (await exists(join(requestedDataDir, 'PG_VERSION'))) {
    await assertReachable(dirname(requestedDataDir), osUser, `the existing embedded cluster ${requestedDataDir}`);
    if ((await stat(requestedDataDir)).uid !== osUser.uid) {
      log(`embedded-postgres: giving ${requestedDataDir} to OS user ${osUser.name}`);
      await execFileAsync('chown', ['-R', `${osUser.uid}:${osUser.gid}`, requestedDataDir]);
    }
    return { binDir, dataDir: requestedDataDir, passwordFile: `${requestedDataDir}.password`, workDir: serviceDir, osUser };
  }

  await ensureRootOwnedDir(join(serviceDir, 'clusters'));
  const clusterDir = join(serviceDir, 'clusters', clusterName(requestedDataDir));
  await ensureRootOwnedDir(clusterDir);
  const dataDir = join(clusterDir, 'data');
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chown(dataDir, osUser.uid, osUser.gid);
  await chmod(dataDir, 0o700);
  // Which clone the cluster belongs to, for an operator tidying the service folder.
  await writeFile(join(clusterDir, 'origin'), `${requestedDataDir}\n`, { mode: 0o644 });
  // And, in the clone, where its cluster went (the fresh-clone check removes it from there).
  await mkdir(dirname(requestedDataDir), { recursive: true });
  await writeFile(`${requestedDataDir}.location`, `${clusterDir}\n`, { mode: 0o644 });
  return { binDir, dataDir, passwordFile: join(clusterDir, 'password'), workDir: clusterDir, osUser };
}

/** Readable and unique: the tail of the path, then a hash of all of it. */
function clusterName(dataDir: string): string {
  const slug = dataDir
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-40)
    .replace(/^-+/, '');
  const hash = createHash('sha256').update(dataDir).digest('hex').slice(0, 16);
  return `${slug}-${hash}`;
}

/** `native/` of the platform package embedded-postgres depends on (bin, lib, share). */
function packageNativeDir(): string {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The app is CommonJS; the e2e specs run this file as an ES module, where only the working
  // folder (the repository) can anchor the resolution.
  const local = typeof require === 'function' ? require : createRequire(join(process.cwd(), 'package.json'));
  const fromEmbeddedPostgres = createRequire(local.resolve('embedded-postgres'));
  try {
    return join(dirname(fromEmbeddedPostgres.resolve(platformPackage)), '..', 'native');
  } catch {
    throw new Error(`No PostgreSQL binaries for ${process.platform}-${process.arch}: ${platformPackage} is not installed`);
  }
}

function packageVersion(nativeDir: string): string {
  const manifest = JSON.parse(readFileSync(join(nativeDir, '..', 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** Copied once per version, staged and renamed into place so that concurrent starts never see half a copy. */
async function installBinaries(nativeDir: string, serviceDir: string, log: (line: string) => void): Promise<string> {
  const target = join(serviceDir, `postgresql-${packageVersion(nativeDir)}-${process.platform}-${process.arch}`);
  const binDir = join(target, 'bin');
  if (await exists(join(binDir, 'postgres'))) return binDir;

  log(`embedded-postgres: copying the PostgreSQL binaries to ${target}, where the ${OS_USER} OS user can run them`);
  const staging = `${target}.staging-${randomBytes(4).toString('hex')}`;
  try {
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await makeReadableByAll(staging);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (!(await exists(join(binDir, 'postgres')))) throw error;
  }
  return binDir;
}

async function makeReadableByAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadableByAll(path);
    else if (entry.isFile()) await chmod(path, ((await stat(path)).mode & 0o100) !== 0 ? 0o755 : 0o644);
  }
}

/** A folder PostgreSQL's binaries run from must not be writable by anyone but root. */
async function ensureRootOwnedDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o711 });
  const stats = await lstat(dir);
  if (!stats.isDirectory() || stats.uid !== 0) {
    throw new Error(`${dir} must be a folder owned by root (the embedded PostgreSQL runs from it)`);
  }
  if ((stats.mode & 0o777) !== 0o711) await chmod(dir, 0o711);
}

/** PostgreSQL refuses to run as root; create the user it runs as, as the package would. */
async function ensureOsUser(log: (line: string) => void): Promise<OsUser> {
  const existing = await lookUpOsUser();
  if (existing !== undefined) return existing;
  log(`embedded-postgres: creating OS user ${OS_USER} to run PostgreSQL as (it refuses to run as root)`);
  await execFileAsync('groupadd', [OS_USER]).catch(() => undefined);
  await execFileAsync('useradd', ['-g', OS_USER, OS_USER]).catch(() => undefined);
  const created = await lookUpOsUser();
  if (created === undefined) throw new Error(`Could not create the OS user ${OS_USER} that PostgreSQL must run as`);
  return created;
}

async function lookUpOsUser(): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([execFileAsync('id', ['-u', OS_USER]), execFileAsync('id', ['-g', OS_USER])]);
    return { name: OS_USER, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

async function assertReachable(dir: string, osUser: OsUser, what: string): Promise<void> {
  try {
    await execFileAsync('test', ['-x', dir], { uid: osUser.uid, gid: osUser.gid });
  } catch {
    throw new Error(
      `OS user ${osUser.name}, which PostgreSQL runs as, cannot reach ${what} in ${dir}: ` +
        'every folder above it must be searchable by that user (chmod o+x), or choose another place',
    );
  }
}

export function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throw-away PostgreSQL server for the `pg` backend tests: its own data directory, on
 * 127.0.0.1 only, trust authentication (nothing else can reach it), stopped by `stop()`.
 * initdb refuses to run as root, so as root it runs as the `postgres` user.
 */

function binDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (existsSync(base)) {
    const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
    for (const v of versions) if (existsSync(join(base, v, "bin/initdb"))) return join(base, v, "bin");
  }
  const found = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  return found ? join(found, "..") : undefined;
}

export function hasPostgres(): boolean {
  const ok = binDir() !== undefined;
  if (!ok) console.warn("[skip] PostgreSQL (initdb, pg_ctl) is not installed, so the pg backend tests are skipped (apt-get install postgresql).");
  return ok;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface Postgres {
  /** A connection URL without a password. */
  readonly url: string;
  readonly port: number;
  /** Runs SQL as the superuser; returns psql's unaligned output. */
  sql(query: string): string;
  stop(): void;
}

export async function startPostgres(database = "terraform"): Promise<Postgres> {
  const bin = binDir();
  if (!bin) throw new Error("PostgreSQL is not installed");
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
      : execFileSync(join(bin, cmd), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const dir = mkdtempSync(join(tmpdir(), "drover-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  if (asRoot) execFileSync("runuser", ["-u", "postgres", "--", "mkdir", "-m", "700", data]);
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  run("pg_ctl", ["-D", data, "-l", join(dir, "server.log"), "-w", "-o", `-c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -p ${port} -c fsync=off`, "start"]);
  const psql = (db: string, query: string) => run("psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-At", "-c", query]);
  psql("postgres", `CREATE DATABASE ${database}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}?sslmode=disable`,
    port,
    sql: (query) => psql(database, query),
    stop: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
      } catch {
        // Already stopped.
      }
    },
  };
}

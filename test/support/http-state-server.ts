import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/**
 * A state server for Terraform's `http` backend, on 127.0.0.1 only, holding any number of named
 * states in memory:
 *
 *   /state/<name>   GET (200 with the state, 404 when there is none yet), POST (stores the body), DELETE
 *   /lock/<name>    LOCK with Terraform's lock info: 200 when free, 423 Locked with the holder's
 *                   lock info when held; UNLOCK with a lock info: 200 when its ID is the holder's
 *                   (or nothing is held), 409 Conflict with the holder's lock info otherwise;
 *                   GET (for tests): 200 with the holder's lock info, 404 when free
 *
 * `terraform force-unlock` (1.11) sends UNLOCK with an empty body, not the ID it was given, so an
 * UNLOCK without a body releases whatever lock is held. A state write carrying `?ID=<lock id>`
 * (as Terraform sends while it holds the lock) is refused with 423 when another lock is held.
 *
 * The server runs in a child process: the CLI tests run drover with spawnSync, which blocks the
 * test's own event loop, so a server in the test process could not answer terraform.
 */

/**
 * The lock info Terraform writes (`statemgr.LockInfo`). `Created` is JSON time (RFC 3339,
 * `2026-11-22T10:00:00.123456789Z`): Terraform cannot read a lock whose `Created` is in the form it
 * prints (`2026-11-22 10:00:00.123456789 +0000 UTC`).
 */
export interface LockInfo {
  readonly ID: string;
  readonly Operation: string;
  readonly Info: string;
  readonly Who: string;
  readonly Version: string;
  readonly Created: string;
  readonly Path: string;
}

/** The request handler: Terraform's http backend protocol over in-memory maps. */
export function createStateServer(): Server {
  const states = new Map<string, string>();
  const locks = new Map<string, LockInfo>();

  return createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, kind, name = ""] = url.pathname.split("/");
    const send = (status: number, json?: unknown) => {
      const text = json === undefined ? "" : typeof json === "string" ? json : JSON.stringify(json);
      res.writeHead(status, text ? { "content-type": "application/json" } : {}).end(text);
    };
    const held = locks.get(name);

    if (kind === "state") {
      switch (req.method) {
        case "GET":
          return states.has(name) ? send(200, states.get(name)) : send(404);
        case "POST": {
          const id = url.searchParams.get("ID");
          if (held && id !== null && id !== held.ID) return send(423, held);
          states.set(name, body);
          return send(200);
        }
        case "DELETE":
          states.delete(name);
          return send(200);
      }
    }
    if (kind === "lock") {
      switch (req.method) {
        case "GET":
          return held ? send(200, held) : send(404);
        case "LOCK":
          if (held) return send(423, held);
          locks.set(name, JSON.parse(body) as LockInfo);
          return send(200);
        case "UNLOCK": {
          const id = body ? (JSON.parse(body) as Partial<LockInfo>).ID : undefined;
          if (held && body && id !== held.ID) return send(409, held);
          locks.delete(name);
          return send(200);
        }
      }
    }
    send(405);
  });
}

/** One named state on a running server: its addresses for `HttpBackend`, and what it holds. */
export interface RemoteState {
  readonly address: string;
  readonly lockAddress: string;
  readonly unlockAddress: string;
  /** Plants a lock, as a run that crashed while holding it would leave it. */
  lockAs(info: LockInfo): Promise<void>;
  /** The lock held now, if any. */
  currentLock(): Promise<LockInfo | undefined>;
  /** The state stored now (parsed), if any. */
  state<T = Record<string, unknown>>(): Promise<T | undefined>;
}

export interface StateServer {
  readonly url: string;
  /** The state called `name` (created on first write). */
  remote(name: string): RemoteState;
  close(): Promise<void>;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Starts the server in a child process on an ephemeral port of 127.0.0.1. */
export async function startStateServer(): Promise<StateServer> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the state server exited (${code}) before listening`)));
    createInterface({ input: child.stdout! }).once("line", resolve);
  });

  const json = async <T>(address: string): Promise<T | undefined> => {
    const r = await fetch(address);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new Error(`GET ${address}: ${r.status}`);
    return (await r.json()) as T;
  };

  return {
    url,
    remote(name) {
      const address = `${url}/state/${encodeURIComponent(name)}`;
      const lockAddress = `${url}/lock/${encodeURIComponent(name)}`;
      return {
        address,
        lockAddress,
        unlockAddress: lockAddress,
        async lockAs(info) {
          const r = await fetch(lockAddress, { method: "LOCK", body: JSON.stringify(info), headers: { "content-type": "application/json" } });
          if (r.status !== 200) throw new Error(`LOCK ${lockAddress}: ${r.status} ${await r.text()}`);
        },
        currentLock: () => json<LockInfo>(lockAddress),
        state: <T>() => json<T>(address),
      };
    },
    async close() {
      if (child.exitCode === null) child.kill();
      await exited;
    },
  };
}

// Run as a program (by startStateServer): listen, then print the base URL on the first line.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = createStateServer();
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`http://127.0.0.1:${port}\n`);
  });
}

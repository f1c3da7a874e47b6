/**
 * The lab network's own services, run inside the lab's network namespace (the lab starts this
 * file with `nsenter --net=...`, talking to it over Node's IPC channel), so that the machines
 * reach them at the stack's addresses and the services see each machine's real address:
 *
 * - the package proxy's door: TCP on the gateway address, relayed to a unix socket the lab's
 *   main process serves (which relays to apt-cacher-ng on the host's loopback): the only way
 *   out of the lab;
 * - the instance metadata service at 169.254.169.254 (OpenStack's `meta_data.json`, per machine
 *   by its source address: the `meta` keys drover's volume script reads);
 * - the stand-in OpenStack API (Keystone, Nova, Neutron, Glance) when the stack needs one:
 *   a server it is asked to create becomes a lab machine, a server deleted is stopped.
 */
import { createServer as createHttpServer } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { startOpenStackMock, type AccessRule, type OpenStackMock } from "./standin/openstack.ts";

export interface ServicesConfig {
  /** Keep serving when the lab exits (`--keep`): the lab's `--down` stops this process. */
  readonly keep?: boolean;
  readonly relays: ReadonlyArray<{ readonly host: string; readonly port: number; readonly socket: string }>;
  /** Address of the metadata service (169.254.169.254), or none. */
  readonly metadataAddress?: string;
  readonly cloud?: {
    readonly host: string;
    readonly port: number;
    readonly region: string;
    readonly subnetCidr: string;
    readonly imageName: string;
    readonly ids: { readonly network: string; readonly subnet: string; readonly securityGroup: string };
    /** Every security group of the stack (ID → name). */
    readonly securityGroups?: Readonly<Record<string, string>>;
    readonly credential: { readonly id: string; readonly secret: string };
    readonly accessRules?: readonly AccessRule[];
  };
}

export type ToServices = { type: "config"; config: ServicesConfig } | { type: "metadata"; address: string; document: unknown } | { type: "requests" } | { type: "servers" };

export type FromServices =
  | { type: "ready"; authUrl?: string }
  | { type: "server-create"; server: { id: string; name: string; flavor: string; userData: string; address: string; tags: readonly string[] } }
  | { type: "server-delete"; server: { id: string; name: string } }
  | { type: "requests"; requests: ReadonlyArray<{ service: string; method: string; path: string; status: number }> }
  | { type: "servers"; servers: ReadonlyArray<{ id: string; name: string; status: string }> }
  | { type: "error"; message: string };

const send = (message: FromServices) => process.send?.(message);

function relay(host: string, port: number, socketPath: string): Promise<void> {
  const server = createServer((client: Socket) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
}

async function start(config: ServicesConfig): Promise<void> {
  for (const r of config.relays) await relay(r.host, r.port, r.socket);

  const metadata = new Map<string, unknown>();
  process.on("message", (raw) => {
    const message = raw as ToServices;
    if (message.type === "metadata") metadata.set(message.address, message.document);
    if (message.type === "requests") send({ type: "requests", requests: (cloud?.requests ?? []).map((r) => ({ service: r.service, method: r.method, path: r.path, status: r.status })) });
    if (message.type === "servers") send({ type: "servers", servers: (cloud?.servers() ?? []).map((s) => ({ id: s.id, name: s.name, status: s.status })) });
  });
  if (config.metadataAddress) {
    const server = createHttpServer((req, res) => {
      const address = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
      const document = metadata.get(address);
      const path = (req.url ?? "/").split("?")[0];
      if (document && (path === "/openstack/latest/meta_data.json" || path === "/openstack/2018-08-27/meta_data.json")) {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(document));
        return;
      }
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end(document ? "not served by the lab's metadata service\n" : `no machine at ${address}\n`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(80, config.metadataAddress, () => resolve());
    });
  }

  let cloud: OpenStackMock | undefined;
  if (config.cloud) {
    const c = config.cloud;
    cloud = await startOpenStackMock({
      host: c.host,
      port: c.port,
      region: c.region,
      subnetCidr: c.subnetCidr,
      imageName: c.imageName,
      ids: c.ids,
      ...(c.securityGroups ? { securityGroups: c.securityGroups } : {}),
      credential: c.credential,
      ...(c.accessRules && c.accessRules.length > 0 ? { accessRules: c.accessRules } : {}),
      onServerCreate(server, ports) {
        send({
          type: "server-create",
          server: { id: server.id, name: server.name, flavor: server.flavorId, userData: server.userData ?? "", address: ports[0]?.fixedIps[0]?.ip_address ?? "", tags: server.tags },
        });
      },
      onServerDelete(server) {
        send({ type: "server-delete", server: { id: server.id, name: server.name } });
      },
    });
  }
  send({ type: "ready", ...(cloud ? { authUrl: cloud.authUrl } : {}) });
}

let keep = false;
process.once("message", (raw) => {
  const message = raw as ToServices;
  if (message.type !== "config") return;
  keep = message.config.keep === true;
  start(message.config).catch((e: unknown) => {
    send({ type: "error", message: e instanceof Error ? e.message : String(e) });
    process.exitCode = 1;
  });
});
process.on("disconnect", () => {
  if (!keep) process.exit(0);
});

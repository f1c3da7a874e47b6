/**
 * What the cluster's application credential may do: the API calls Slurm's resume, suspend and
 * reconcile programs make through the `openstack` CLI, and the cleanup a destroy runs. Keystone
 * (Train and later) refuses any other call made with the credential.
 *
 * A rule is a service type, an HTTP method and a path relative to the service's endpoint
 * (with its version prefix), where `*` matches one path segment and `**` any number of them.
 * The list is checked against the calls the real `openstack` CLI and the cleanup script make
 * (test/lib/slurm-elastic-scripts.test.ts records them against a stand-in cloud).
 */
export interface AccessRule {
  readonly service: "compute" | "network" | "image";
  readonly method: "GET" | "POST" | "PUT" | "DELETE" | "HEAD";
  readonly path: string;
}

const rule = (service: AccessRule["service"], method: AccessRule["method"], path: string): AccessRule => ({ service, method, path });

export const ELASTIC_ACCESS_RULES: readonly AccessRule[] = [
  // Version discovery: the clients read each endpoint's root first.
  rule("compute", "GET", "/"),
  rule("compute", "GET", "/v2.1"),
  rule("compute", "GET", "/v2.1/"),
  // Servers: create, list (by name and tag), show, delete.
  rule("compute", "GET", "/v2.1/servers"),
  rule("compute", "POST", "/v2.1/servers"),
  rule("compute", "GET", "/v2.1/servers/**"),
  rule("compute", "DELETE", "/v2.1/servers/*"),
  // Flavors, looked up by name.
  rule("compute", "GET", "/v2.1/flavors"),
  rule("compute", "GET", "/v2.1/flavors/**"),
  rule("network", "GET", "/"),
  rule("network", "GET", "/v2.0"),
  rule("network", "GET", "/v2.0/"),
  // Ports: create with a fixed address, list (by tag), show, delete. `port create --tag` first
  // asks whether Neutron takes tags in the create call (the tag-ports-during-bulk-creation
  // extension, then the whole list when that one is not found); where it does not, the CLI
  // creates the port and then sets its tags.
  rule("network", "GET", "/v2.0/extensions"),
  rule("network", "GET", "/v2.0/extensions/*"),
  rule("network", "GET", "/v2.0/ports"),
  rule("network", "POST", "/v2.0/ports"),
  rule("network", "PUT", "/v2.0/ports/*/tags"),
  rule("network", "GET", "/v2.0/ports/*"),
  rule("network", "DELETE", "/v2.0/ports/*"),
  // Networks, subnets and security groups are read to resolve IDs.
  rule("network", "GET", "/v2.0/networks"),
  rule("network", "GET", "/v2.0/networks/*"),
  rule("network", "GET", "/v2.0/subnets"),
  rule("network", "GET", "/v2.0/subnets/*"),
  rule("network", "GET", "/v2.0/security-groups"),
  rule("network", "GET", "/v2.0/security-groups/*"),
  rule("image", "GET", "/"),
  rule("image", "GET", "/v2"),
  rule("image", "GET", "/v2/"),
  rule("image", "GET", "/v2/images"),
  rule("image", "GET", "/v2/images/*"),
];

/** Whether a path matches a rule's path pattern, the way Keystone matches them. */
export function pathMatches(pattern: string, path: string): boolean {
  const p = pattern.split("/").filter(Boolean);
  const s = path.split("?")[0]!.split("/").filter(Boolean);
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === s.length;
    if (p[i] === "**") return Array.from({ length: s.length - j + 1 }, (_, k) => j + k).some((k) => match(i + 1, k));
    if (j === s.length) return false;
    if (p[i] === "*" || /^\{[^}]+\}$/.test(p[i]!)) return match(i + 1, j + 1);
    return p[i] === s[j] && match(i + 1, j + 1);
  };
  return match(0, 0);
}

/** Whether a call is allowed by the rules. */
export function allowedBy(rules: readonly AccessRule[], service: string, method: string, path: string): boolean {
  return rules.some((r) => r.service === service && r.method === method && pathMatches(r.path, path));
}

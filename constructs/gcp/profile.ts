import { GCP } from "../../lib/clouds/gcp/facts.ts";
import { GCP_MACHINE_TYPES } from "../../lib/catalog/gcp-machines.ts";
import { describeValue } from "../../lib/props/check.ts";
import { checkProps } from "../../lib/props/schemas.ts";
import { IssueCollector } from "../../lib/errors.ts";
import { nearestMatches, orList } from "../../lib/naming.ts";
import type { DriverContext } from "../cloud.ts";
import { GcpDriver } from "./driver.ts";
import { GCP_IMAGES } from "./images.ts";
import { GCP_NAME, type GcpProfile } from "./profile-type.ts";

// Exported from here as before: `drover` (constructs/index.ts) exports this file.
export { GCP_NAME, type GcpProfile };

export interface GcpProps {
  /** The project ID resources are created in, e.g. "my-lab-123456" (not its display name or number). */
  readonly project: string;
  /** The region, e.g. "us-central1". */
  readonly region: string;
  /**
   * The zone machines and disks are created in; a persistent disk attaches only to machines of
   * its own zone, so a stack keeps to one.
   * @default "<region>-a" ("europe-west1-b" in europe-west1, which has no zone a)
   */
  readonly zone?: string;
  /**
   * Network machines join when none is given: `"new"` creates a VPC network with one subnetwork
   * per stack; `{ name }` joins an existing subnetwork of the region by name (the firewall rules
   * its network already has apply too).
   * @default "new"
   */
  readonly network?: "new" | { readonly name: string };
  /**
   * A Cloud DNS public managed zone of the project, where constructs may create records for
   * their public addresses: `name` is the zone's resource name, `domain` the DNS name it serves.
   * @default - none: constructs need a domain of their own
   */
  readonly dnsZone?: { readonly name: string; readonly domain: string };
  /**
   * Absolute path (or `~/...`) of a service-account key file. Never the key itself: the
   * synthesized Terraform would then hold a secret.
   * @default - Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, or `gcloud auth application-default login`
   */
  readonly credentialsFile?: string;
}

/** Compute Engine's public regions (as listed by `gcloud compute regions list`). */
export const GCP_REGIONS: readonly string[] = [
  "us-central1",
  "us-east1",
  "us-east4",
  "us-east5",
  "us-south1",
  "us-west1",
  "us-west2",
  "us-west3",
  "us-west4",
  "northamerica-northeast1",
  "northamerica-northeast2",
  "northamerica-south1",
  "southamerica-east1",
  "southamerica-west1",
  "europe-central2",
  "europe-north1",
  "europe-north2",
  "europe-southwest1",
  "europe-west1",
  "europe-west2",
  "europe-west3",
  "europe-west4",
  "europe-west6",
  "europe-west8",
  "europe-west9",
  "europe-west10",
  "europe-west12",
  "me-central1",
  "me-central2",
  "me-west1",
  "africa-south1",
  "asia-east1",
  "asia-east2",
  "asia-northeast1",
  "asia-northeast2",
  "asia-northeast3",
  "asia-south1",
  "asia-south2",
  "asia-southeast1",
  "asia-southeast2",
  "asia-southeast3",
  "australia-southeast1",
  "australia-southeast2",
];

/** Regions whose first zone is not `-a`: europe-west1's zones are b, c and d. */
const FIRST_ZONE: Readonly<Record<string, string>> = { "europe-west1": "europe-west1-b" };

const REGION_FORM = /^[a-z]+-[a-z]+\d{1,2}$/;
const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const DOMAIN = /^(?=.{1,253}\.?$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?$/;
const NAME_RULE = "lower-case letters, digits and '-', starting with a letter, at most 63 characters";

function checkProject(project: unknown, issues: IssueCollector): void {
  if (typeof project === "string" && PROJECT_ID.test(project)) return;
  const hint =
    typeof project === "string" && /^\d+$/.test(project)
      ? ": that is a project number; use the project ID (the console shows both)"
      : typeof project === "string" && project.trim() !== "" && /[A-Z ]/.test(project)
        ? ': that looks like the project\'s display name; use its ID (e.g. "my-lab-123456")'
        : ` (6 to 30 lower-case letters, digits and '-', starting with a letter, e.g. "my-lab-123456")`;
  issues.add("profile.bad-project", `'project' ${JSON.stringify(project)} is not a GCP project ID${hint}`);
}

function checkCredentialsFile(path: unknown, issues: IssueCollector): void {
  if (path === undefined) return;
  if (typeof path !== "string" || path.trim() === "") {
    issues.add("profile.bad-credentials", `'credentialsFile' must be the path of a service-account key file, got ${describeValue(path)}`);
  } else if (path.trimStart().startsWith("{")) {
    issues.add(
      "profile.bad-credentials",
      "'credentialsFile' holds a key file's contents, which would be written into the synthesized Terraform: give the file's path, or leave it out and set GOOGLE_APPLICATION_CREDENTIALS",
    );
  } else if (!path.startsWith("/") && !path.startsWith("~/")) {
    issues.add("profile.bad-credentials", `'credentialsFile' "${path}" is a relative path, and Terraform runs in the stack's directory under cdktf.out: give an absolute path or one starting with ~/`);
  }
}

/**
 * Google Cloud: Compute Engine machines sized from drover's catalog of E2, N2, C3 and G2 types
 * (the cheapest that fits a `{ vcpus, memoryGiB }` requirement), Ubuntu 24.04 from Canonical by
 * default, shielded VMs, balanced persistent disks, static external addresses and Cloud DNS.
 * Authentication is the provider's: Application Default Credentials unless `credentialsFile` is
 * given.
 *
 * Differences from Jetstream2 a person should know: a machine without `publicAddress` has no
 * internet access (drover creates no Cloud NAT, which bills by the hour), though it still
 * reaches Google's APIs; SSH keys go into the machine's metadata, as GCP has no key pairs, so
 * `keyPairName` is not available (and a project that enforces OS Login ignores them); sizes are machine types ("e2-standard-2"), and Jetstream2
 * flavor names are rejected with the nearest type; managed Kubernetes, shares and application
 * credentials are not offered, so the cluster constructs report that they need an OpenStack
 * cloud.
 *
 * @example
 * new DroverStack(app, "dev-vm", { cloud: gcp({ project: "my-lab-123456", region: "us-central1" }) });
 */
export function gcp(props: GcpProps): GcpProfile {
  const issues = new IssueCollector("gcp()");
  for (const p of checkProps("gcp", props, "profile")) issues.add(p.code, p.message);
  issues.throwIfAny();
  checkProject(props?.project, issues);
  const region = props?.region;
  const regionOk = typeof region === "string" && REGION_FORM.test(region);
  if (!regionOk) {
    const near = typeof region === "string" ? nearestMatches(region, GCP_REGIONS) : [];
    issues.add("profile.bad-region", `'region' ${JSON.stringify(region)} is not a GCP region${near.length ? `: did you mean ${orList(near.map((r) => `"${r}"`))}?` : ` (e.g. "us-central1")`}`);
  }
  const zone = props?.zone ?? (regionOk ? (FIRST_ZONE[region] ?? `${region}-a`) : undefined);
  if (props?.zone !== undefined && regionOk && (typeof props.zone !== "string" || !new RegExp(`^${region}-[a-z]$`).test(props.zone))) {
    issues.add("profile.bad-zone", `'zone' ${JSON.stringify(props.zone)} is not a zone of region ${region}: name one as "${region}-<letter>", e.g. "${FIRST_ZONE[region] ?? `${region}-a`}"`);
  }
  const network = props?.network ?? "new";
  if (network !== "new") {
    const keys = typeof network === "object" && network !== null ? Object.keys(network) : [];
    if (keys.length !== 1 || keys[0] !== "name" || typeof network.name !== "string") {
      issues.add("profile.bad-network", `'network' must be "new" or { name: "<an existing subnetwork's name>" }, got ${describeValue(network)}`);
    } else if (!GCP_NAME.test(network.name)) {
      issues.add("profile.bad-network", `'network.name' "${network.name}" is not a subnetwork name (${NAME_RULE})`);
    }
  }
  const dns = props?.dnsZone;
  if (dns !== undefined) {
    if (typeof dns !== "object" || dns === null || typeof dns.name !== "string" || typeof dns.domain !== "string") {
      issues.add("profile.bad-dns-zone", `'dnsZone' must be { name: "<the managed zone's resource name>", domain: "lab.example.org" }, got ${describeValue(dns)}`);
    } else {
      if (!GCP_NAME.test(dns.name)) {
        const hint = dns.name.includes(".") ? `: that looks like its domain; the resource name is the zone's name in the console (e.g. "lab-example-org")` : ` (${NAME_RULE})`;
        issues.add("profile.bad-dns-zone", `'dnsZone.name' "${dns.name}" is not a managed zone's resource name${hint}`);
      }
      if (!DOMAIN.test(dns.domain)) issues.add("profile.bad-dns-zone", `'dnsZone.domain' "${dns.domain}" is not a DNS name (e.g. "lab.example.org")`);
    }
  }
  checkCredentialsFile(props?.credentialsFile, issues);
  issues.throwIfAny();

  return {
    kind: "gcp",
    facts: GCP,
    name: "gcp",
    region,
    project: props.project,
    zone: zone!,
    summary: `GCP, project ${props.project}, region ${region} (zone ${zone})`,
    flavors: GCP_MACHINE_TYPES,
    images: GCP_IMAGES,
    defaultImage: "ubuntu-24.04",
    defaultNetwork: network,
    ...(dns ? { dnsZone: dns.domain.endsWith(".") ? dns.domain : `${dns.domain}.`, dnsManagedZone: dns.name } : {}),
    ...(props.credentialsFile ? { credentialsFile: props.credentialsFile } : {}),
    createDriver(context: DriverContext) {
      return new GcpDriver(context, this as GcpProfile);
    },
  };
}

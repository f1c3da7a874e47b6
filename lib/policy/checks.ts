/**
 * drover's built-in security checks: what research-cloud operators ask of the machines on their
 * clouds (Jetstream2's security FAQ and allocation policies among them), run on a synthesized
 * stack by `drover validate` and `drover plan`. IDs are a public contract: `suppressPolicy`
 * names them in code, so an ID never changes meaning and a retired one is never reused.
 */

export type Severity = "error" | "warning";

/** `--policy-level`: fail on errors only, on warnings too, or run no checks at all. */
export type PolicyLevel = "error" | "warning" | "off";

export interface PolicyCheck {
  /** `DRV` and three digits. */
  readonly id: string;
  readonly severity: Severity;
  /** One line, as a report heads the finding. */
  readonly title: string;
  /** What the check looks for, and why operators ask for it. */
  readonly description: string;
  /** The usual way out, in drover's props where there is one. */
  readonly fix: string;
}

/** One thing a check found: where (construct and, for a resource, its Terraform address) and what to do. */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  /** Construct path: the resource's (`dev-vm/box/Firewall-tcp-22-0-0-0-0-0`), a rendered file's construct, or the stack. */
  readonly construct: string;
  /** Terraform address, when one resource is at fault. */
  readonly resource?: string;
  readonly message: string;
  readonly fix: string;
  /** Set when `suppressPolicy` covers the finding: kept in the report, not counted. */
  readonly suppressed?: { readonly reason: string };
}

export const POLICY_CHECKS: readonly PolicyCheck[] = [
  {
    id: "DRV001",
    severity: "error",
    title: "Port open to the internet",
    description:
      "An inbound firewall rule admits every address (0.0.0.0/0, ::/0, Azure's * or Internet) to something other than the web ports 80 and 443: a database, a notebook, a scheduler, ICMP or all traffic. Anything listening there is probed within minutes of the machine getting a public address.",
    fix: 'Open the port only to the networks that need it (a CIDR list such as ["203.0.113.0/24"], or another firewall), or reach the service through SSH or a web gateway on 443.',
  },
  {
    id: "DRV002",
    severity: "error",
    title: "SSH open to the internet",
    description:
      "An inbound firewall rule admits every address to port 22. SSH open to the world is the most guessed-at door on a research cloud; operators ask that it be limited to the networks people connect from.",
    fix: "Give 'allowSshFrom' your campus or VPN ranges (e.g. [\"203.0.113.0/24\"]); people on changing networks can reach the machine through a VPN or a bastion host with a fixed range.",
  },
  {
    id: "DRV003",
    severity: "warning",
    title: "Web ports open to the internet on a machine that is not a web gateway",
    description:
      "80 or 443 are open to every address on a machine drover did not build as a web front end (a GatewayHost, or the JupyterHub's server): it serves the web without the gateway's hardening (TLS with renewed certificates, security headers, fail2ban, a host firewall).",
    fix: "Serve the site through a GatewayHost (or the JupyterHub construct), or open 80/443 only to the networks that need them.",
  },
  {
    id: "DRV004",
    severity: "error",
    title: "Credential written into the configuration",
    description:
      "A private key, an AWS access key, an OpenStack application-credential secret or a password appears as literal text in the synthesized Terraform JSON or a rendered file. Those files are committed, shared in reviews and copied into Terraform state: whoever reads them can act as you on the cloud.",
    fix: "Pass the secret by reference: a sensitive TerraformVariable (TF_VAR_<name> at deploy time), a random_password Terraform generates, or the provider's own environment variables (OS_CLOUD, AWS_PROFILE). Then revoke the exposed credential: it is in the repository's history.",
  },
  {
    id: "DRV005",
    severity: "warning",
    title: "Stateful resource without destroy protection",
    description:
      "A volume, share, disk, bucket or database (or a machine marked stateful) has no lifecycle prevent_destroy: a rename, a replace or a mistaken destroy deletes its data for good. Operators do not restore deleted volumes.",
    fix: 'Create volumes through drover\'s constructs (they are protected), or add the guard: resource.addOverride("lifecycle.prevent_destroy", true). To destroy on purpose, run deploy or destroy with --allow-destroy.',
  },
  {
    id: "DRV006",
    severity: "warning",
    title: "Education or trial stack without an expiry",
    description:
      "The stack runs on a Jetstream2 education or trial allocation and has no 'expiresAt'. Classes and trials end; machines left running burn the allocation's service units, and accounts left open outlive the people who should use them.",
    fix: 'Set \'expiresAt\' on the stack (new DroverStack(app, "class", { ..., expiresAt: "2026-05-15" })): resources are tagged with it and drover reports the stack once it passes.',
  },
  {
    id: "DRV007",
    severity: "warning",
    title: "Stack past its expiry date",
    description: "The stack's 'expiresAt' has passed: whatever it was for is over, but its machines still run and its accounts are still open.",
    fix: "Destroy the stack (drover destroy <stack>), or move 'expiresAt' if it is still needed.",
  },
  {
    id: "DRV008",
    severity: "warning",
    title: "JupyterHub with one shared password",
    description:
      "The hub signs people in with one password for everyone (the workshop login, JupyterHub's shared-password or dummy authenticator): anyone who has the password can sign in under any name, another participant's included, and see that person's files.",
    fix: "Sign in with GitHub or an OAuth provider (CILogon, Keycloak) for anything longer than a short event with nothing private; keep the shared password for the room, and set 'expiresAt'.",
  },
  {
    id: "DRV009",
    severity: "error",
    title: "SSH password login enabled",
    description:
      "A machine accepts passwords over SSH (cloud-init ssh_pwauth, sshd PasswordAuthentication yes, or an Azure machine with password authentication). Passwords are guessed, shared and reused; operators ask for keys.",
    fix: "Sign in with SSH keys ('publicKey' or 'adminPublicKey'); leave ssh_pwauth false and set PasswordAuthentication no.",
  },
];

const BY_ID = new Map(POLICY_CHECKS.map((c) => [c.id, c]));

export function policyCheck(id: string): PolicyCheck {
  const check = BY_ID.get(id);
  if (!check) throw new Error(`bug: no policy check ${id}`);
  return check;
}

/** A finding of check `id`, with the check's own severity and fix unless a better fix is given. */
export function finding(id: string, where: { construct: string; resource?: string }, message: string, fix?: string): Finding {
  const check = policyCheck(id);
  return {
    id,
    severity: check.severity,
    construct: where.construct,
    ...(where.resource ? { resource: where.resource } : {}),
    message,
    fix: fix ?? check.fix,
  };
}

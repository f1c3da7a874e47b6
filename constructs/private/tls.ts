import { TerraformProvider, TerraformResource } from "cdktf";
import type { Construct } from "constructs";
import { DroverStack } from "../drover-stack.ts";

/**
 * Keys and certificates Terraform makes (hashicorp/tls) and keeps in its state, as references:
 * a private key is sensitive in every plan, and synthesized files hold only the reference. There
 * is no prebuilt cdktf package for hashicorp/tls, and these few resources do not need generated
 * bindings: like `TerraformData`, each is a `TerraformResource` with its arguments written here.
 * Their schema, for `drover validate`, is `providers/tls/schema.json`.
 */

/** hashicorp/tls 4.x: `tls_private_key` and `tls_self_signed_cert` as used here are those of 4.0 and later. */
export const TLS_PROVIDER = { source: "hashicorp/tls", constraint: "~> 4.0" } as const;

class TlsProvider extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: "tls",
      terraformGeneratorMetadata: { providerName: "tls", providerVersionConstraint: TLS_PROVIDER.constraint },
      terraformProviderSource: TLS_PROVIDER.source,
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {};
  }
}

const metadata = { providerName: "tls", providerVersionConstraint: TLS_PROVIDER.constraint };

class TlsPrivateKey extends TerraformResource {
  constructor(scope: Construct, id: string) {
    super(scope, id, { terraformResourceType: "tls_private_key", terraformGeneratorMetadata: metadata });
  }

  /** The key in PEM (sensitive). */
  get privateKeyPem(): string {
    return this.getStringAttribute("private_key_pem");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    // ECDSA P-256: what k3s makes its own CAs with.
    return { algorithm: "ECDSA", ecdsa_curve: "P256" };
  }
}

class TlsSelfSignedCert extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly config: { readonly privateKeyPem: string; readonly commonName: string; readonly validityHours: number },
  ) {
    super(scope, id, { terraformResourceType: "tls_self_signed_cert", terraformGeneratorMetadata: metadata });
  }

  get certPem(): string {
    return this.getStringAttribute("cert_pem");
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return {
      private_key_pem: this.config.privateKeyPem,
      subject: [{ common_name: this.config.commonName }],
      validity_period_hours: this.config.validityHours,
      is_ca_certificate: true,
      set_subject_key_id: true,
      allowed_uses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
    };
  }
}

/** Ten years, as k3s's own CAs; not renewed early, so a plan never replaces it by itself. */
const CA_VALIDITY_HOURS = 10 * 365 * 24;

/**
 * A self-signed certificate authority: its certificate and key in PEM, as references (the key
 * sensitive).
 */
export function certificateAuthority(scope: Construct, id: string, commonName: string): { certPem: string; keyPem: string } {
  const stack = DroverStack.of(scope);
  if (!stack.node.tryFindChild("tls")) new TlsProvider(stack, "tls");
  const key = new TlsPrivateKey(scope, `${id}Key`);
  const cert = new TlsSelfSignedCert(scope, id, { privateKeyPem: key.privateKeyPem, commonName, validityHours: CA_VALIDITY_HOURS });
  return { certPem: cert.certPem, keyPem: key.privateKeyPem };
}

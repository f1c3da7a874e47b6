import { isSecretName } from "./policy/secrets.ts";

/**
 * Secrets drover can know without reading any state: the credentials in its environment
 * (OpenStack, AWS, Azure, Google, backends) and the Terraform variables set there whose names
 * say they are secret (`TF_VAR_hub_oauth_client_secret`). A tool's error text can carry one (a
 * failing command's output, a URL with a password); every line drover prints goes through
 * `maskSecrets` so that it never shows one.
 */
const CREDENTIAL_VARIABLES = [
  "OS_PASSWORD",
  "OS_APPLICATION_CREDENTIAL_SECRET",
  "OS_TOKEN",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "ARM_CLIENT_SECRET",
  "ARM_ACCESS_KEY",
  "GOOGLE_OAUTH_ACCESS_TOKEN",
  "TF_HTTP_PASSWORD",
  "PGPASSWORD",
];
/** Shorter values would mask ordinary words. */
const MIN_SECRET_LENGTH = 6;

export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (!value || value.length < MIN_SECRET_LENGTH) continue;
    if (CREDENTIAL_VARIABLES.includes(name) || (name.startsWith("TF_VAR_") && isSecretName(name.slice("TF_VAR_".length)))) values.add(value);
    if (name === "PG_CONN_STR") {
      try {
        const password = decodeURIComponent(new URL(value).password);
        if (password.length >= MIN_SECRET_LENGTH) values.add(password);
      } catch {
        // Not a URL: nothing to take apart.
      }
    }
  }
  // Longest first, so a secret that contains another is masked whole.
  return [...values].sort((a, b) => b.length - a.length);
}

/** The text with every secret replaced by a mask that says what it stands for. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("(sensitive value)");
  return out;
}

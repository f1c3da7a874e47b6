import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { fileWriteFailure } from "../app/fs-errors.ts";

/**
 * The synthesis of each stack as last deployed successfully, kept in the project under
 * `.drover/deployed/<stack>/` (git-ignored). `drover plan --offline` compares with it; a
 * successful deploy replaces it, a destroy removes it, a failed deploy leaves it alone.
 */
export interface BaselineMeta {
  readonly stack: string;
  readonly deployedAt: string;
  readonly terraformVersion?: string;
  readonly droverVersion?: string;
}

const dirOf = (root: string, stack: string) => join(root, ".drover", "deployed", stack);

export async function recordBaseline(root: string, stack: string, configText: string, meta: BaselineMeta): Promise<void> {
  try {
    await writeBaseline(root, stack, configText, meta);
  } catch (e) {
    throw (
      fileWriteFailure(
        e,
        `drover's record of ${stack}'s deploy (.drover/deployed/${stack})`,
        `Make .drover a directory drover may write (git-ignore it), then run the command again. What terraform applied is in ${stack}'s state either way.`,
      ) ?? e
    );
  }
}

async function writeBaseline(root: string, stack: string, configText: string, meta: BaselineMeta): Promise<void> {
  const dir = dirOf(root, stack);
  await mkdir(dir, { recursive: true });
  // Write beside, then rename: a crash never leaves half a baseline.
  await writeFile(join(dir, "cdk.tf.json.tmp"), configText);
  await writeFile(join(dir, "deployed.json.tmp"), `${JSON.stringify(meta, null, 2)}\n`);
  await rename(join(dir, "cdk.tf.json.tmp"), join(dir, "cdk.tf.json"));
  await rename(join(dir, "deployed.json.tmp"), join(dir, "deployed.json"));
}

export async function readBaseline(root: string, stack: string): Promise<{ config: Record<string, unknown>; meta: BaselineMeta } | undefined> {
  const dir = dirOf(root, stack);
  if (!existsSync(join(dir, "cdk.tf.json"))) return undefined;
  const config = await readRecord(root, stack, "cdk.tf.json");
  const meta = existsSync(join(dir, "deployed.json")) ? ((await readRecord(root, stack, "deployed.json")) as unknown as BaselineMeta) : { stack, deployedAt: "unknown" };
  return { config, meta };
}

/** One file of the record, checked: a damaged record is named with the way out, never a crash. */
async function readRecord(root: string, stack: string, file: string): Promise<Record<string, unknown>> {
  const rel = `.drover/deployed/${stack}/${file}`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(join(dirOf(root, stack), file), "utf8"));
  } catch (e) {
    value = e;
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Error)) return value as Record<string, unknown>;
  throw new ConfigError(`${rel}, drover's record of ${stack}'s last deploy, is damaged${value instanceof Error ? `: ${value.message}` : ""}`, [
    `Delete .drover/deployed/${stack}/: the next successful deploy records it again (until then, plan --offline compares with nothing). The stack's resources and its Terraform state are not affected.`,
  ]);
}

export async function clearBaseline(root: string, stack: string): Promise<void> {
  await rm(dirOf(root, stack), { recursive: true, force: true }).catch((e: unknown) => {
    throw (
      fileWriteFailure(
        e,
        `drover's record of ${stack}'s deploy (.drover/deployed/${stack})`,
        `Remove .drover/deployed/${stack} by hand. What terraform destroyed is in ${stack}'s state either way.`,
      ) ?? e
    );
  });
}

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fileWriteFailure, makeDirectory } from "../../lib/app/fs-errors.ts";
import { ExitCode } from "../../lib/errors.ts";

const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code, path: "/p/cdktf.out" });

describe("fileWriteFailure: a file-system error in words, with the fix", () => {
  it.each([
    ["ENOSPC", ExitCode.External, "could not write the output: the disk is full (/p/cdktf.out)"],
    ["EDQUOT", ExitCode.External, "could not write the output: the disk is full (/p/cdktf.out)"],
    ["EROFS", ExitCode.Usage, "could not write the output: it is on a read-only file system (/p/cdktf.out)"],
    ["EACCES", ExitCode.Usage, "could not write the output: permission denied (/p/cdktf.out)"],
    ["ENOTDIR", ExitCode.Usage, "could not write the output: a file stands where a directory must be (/p/cdktf.out)"],
    ["EEXIST", ExitCode.Usage, "could not write the output: a file stands where a directory must be (/p/cdktf.out)"],
    ["ENOENT", ExitCode.Usage, "could not write the output: its directory cannot be created there (/p/cdktf.out)"],
    ["EMFILE", ExitCode.External, "could not write the output: too many open files (/p/cdktf.out)"],
  ])("%s → exit %i: %s", (code, exit, message) => {
    const e = fileWriteFailure(errno(code), "the output", "Set output elsewhere.");
    expect({ exit: e?.exitCode, message: e?.message, fix: e?.details.length }).toEqual({ exit, message, fix: 1 });
  });

  it("leaves alone what is not a file-system error", () => {
    expect(fileWriteFailure(new TypeError("x"), "the output", "fix")).toBeUndefined();
    expect(fileWriteFailure(errno("ERR_SOMETHING_ELSE"), "the output", "fix")).toBeUndefined();
  });
});

describe("makeDirectory", () => {
  it("makes every missing level, and is fine when it exists", async () => {
    const root = mkdtempSync(join(tmpdir(), "drover-mkdir-"));
    await makeDirectory(join(root, "a/b/c"));
    await makeDirectory(join(root, "a/b/c"));
  });

  it.each([
    ["a file on the way", (root: string) => (writeFileSync(join(root, "f"), ""), join(root, "f/x")), "ENOTDIR"],
    ["a place no directory can be made (/proc), without looping as Node's recursive mkdir does", () => "/proc/drover-test/x", "ENOENT"],
  ])("fails at the first level that cannot be made: %s", async (_, path, code) => {
    const root = mkdtempSync(join(tmpdir(), "drover-mkdir-"));
    await expect(makeDirectory(path(root))).rejects.toMatchObject({ code });
  });
});

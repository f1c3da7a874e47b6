/**
 * `npm run lab`: boots what drover renders, for real, on this machine. See lab/run.ts and
 * docs/lab.md.
 *
 * Exit: 0 every check passed; 1 a check failed; 2 the lab cannot run here (not root, a tool
 * missing, an unknown scenario); 3 the lab itself failed; 130 interrupted (everything given back).
 */
import { spawnSync } from "node:child_process";
import { Command } from "commander";
import { defaultCacheDir, downLab, keptMachine, LabSetupError, runLab } from "./run.ts";
import { renderReport } from "./report.ts";
import { SCENARIOS } from "./scenarios/index.ts";

interface Options {
  json?: boolean;
  keep?: boolean;
  shell?: string;
  down?: boolean;
  cache: string;
}

const program = new Command("lab")
  .description("Boot the machines drover renders in containers on this machine and use them as their users would.")
  .argument("[scenario...]", `scenarios to run, all when none: ${SCENARIOS.map((s) => s.name).join(", ")}`)
  .option("--json", "print the report as JSON (progress goes to stderr)")
  .option("--keep", "leave the machines running after the checks, for a look (then --shell, --down)")
  .option("--shell <machine>", "open a root shell in a kept machine")
  .option("--down", "stop kept machines and give back everything their runs hold")
  .option("--cache <dir>", "the lab's cache: image, packages, runs", defaultCacheDir())
  .addHelpText("after", `\nScenarios:\n${SCENARIOS.map((s) => `  ${s.name.padEnd(8)} ${s.summary}`).join("\n")}\n`)
  .action(async (scenarios: string[], opts: Options) => {
    const controller = new AbortController();
    const started = Date.now();
    const progress = (m: string) => process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)}s] ${m}\n`);
    try {
      if (opts.shell) {
        const { pid, run } = await keptMachine(opts.cache, opts.shell);
        process.stderr.write(`${opts.shell} (kept run ${run}); exit the shell to leave it running\n`);
        const r = spawnSync(
          "nsenter",
          ["-t", String(pid), "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w", "--", "/usr/bin/env", "-i", `TERM=${process.env.TERM ?? "xterm"}`, "HOME=/root", "/bin/bash", "-l"],
          { stdio: "inherit" },
        );
        process.exitCode = r.status ?? 1;
        return;
      }
      if (opts.down) {
        const runs = await downLab(opts.cache);
        process.stdout.write(runs.length ? `stopped and gave back run(s) ${runs.join(", ")}\n` : "no kept or left-over lab run\n");
        return;
      }
      for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
        process.on(sig, () => {
          if (!controller.signal.aborted) progress(`${sig}: stopping the machines and giving everything back`);
          controller.abort();
        });
      }
      const report = await runLab({ scenarios, keep: opts.keep === true, cacheDir: opts.cache, signal: controller.signal, progress });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color: process.stdout.isTTY === true, width: process.stdout.columns }));
      process.exitCode = report.failed === 0 ? 0 : 1;
    } catch (e) {
      if (controller.signal.aborted) {
        process.stderr.write("lab interrupted: its machines are stopped and everything it took is given back\n");
        process.exitCode = 130;
      } else if (e instanceof LabSetupError) {
        process.stderr.write(`lab: ${e.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`lab: the lab itself failed (a bug, or this machine): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 3;
      }
    }
  });

await program.parseAsync(process.argv);

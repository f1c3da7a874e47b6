/**
 * `npm run lab`: boots what drover renders, for real, on this machine. See lab/run.ts and the
 * README's "Rehearse locally".
 */
import { Command } from "commander";
import { defaultCacheDir, LabSetupError, runLab } from "./run.ts";
import { renderReport } from "./report.ts";

const program = new Command("lab")
  .argument("[scenario...]", "scenarios to run (all when none): slurm, gateway, vm, hub")
  .option("--json", "print the report as JSON (progress goes to stderr)")
  .option("--keep", "leave the machines running for a look (then --shell, --down)")
  .option("--cache <dir>", "the lab's cache (image, packages, runs)", defaultCacheDir())
  .action(async (scenarios: string[], opts: { json?: boolean; keep?: boolean; cache: string }) => {
    const controller = new AbortController();
    const started = Date.now();
    const progress = (m: string) => process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)}s] ${m}\n`);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.on(sig, () => {
        if (!controller.signal.aborted) progress(`${sig}: stopping the machines and giving everything back`);
        controller.abort();
      });
    }
    try {
      const report = await runLab({ scenarios, keep: opts.keep === true, cacheDir: opts.cache, signal: controller.signal, progress });
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, { color: process.stdout.isTTY === true, width: process.stdout.columns }));
      process.exitCode = report.failed === 0 ? 0 : 1;
    } catch (e) {
      if (controller.signal.aborted) {
        process.stderr.write("lab interrupted: everything it took is given back\n");
        process.exitCode = 130;
      } else if (e instanceof LabSetupError) {
        process.stderr.write(`lab: ${e.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`lab: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exitCode = 3;
      }
    }
  });

await program.parseAsync(process.argv);

// Loaded with --import by bench/synth.ts: on exit, writes the process's peak memory to the file
// named by DROVER_BENCH_RSS_FILE, so the benchmark can measure a real `drover synth` run.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.DROVER_BENCH_RSS_FILE) writeFileSync(process.env.DROVER_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS / 1024));
});

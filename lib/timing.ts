/**
 * `DROVER_TIMING=1` prints how long each phase of a command took, on stderr when the process
 * ends: where the time goes when drover feels slow. Off, `mark` does nothing.
 */
const enabled = Boolean(process.env.DROVER_TIMING);
const marks: Array<[string, number]> = [];

export function mark(phase: string): void {
  if (!enabled) return;
  if (marks.length === 0) {
    process.on("exit", () => {
      let previous = 0;
      const lines = marks.map(([name, at]) => {
        const line = `  ${String(Math.round(at)).padStart(6)} ms  +${String(Math.round(at - previous)).padStart(5)}  ${name}`;
        previous = at;
        return line;
      });
      process.stderr.write(`drover timing (since process start):\n${lines.join("\n")}\n`);
    });
  }
  marks.push([phase, performance.now()]);
}

/**
 * Slurm hostlist expressions: `hpc-cpu-[1-3,5]` for hpc-cpu-1, -2, -3 and -5, and
 * `10.42.4.[1-18]` for addresses of one /24. slurm.conf names a thousand nodes in a few short
 * lines this way instead of one line per node.
 */

interface Split {
  readonly prefix: string;
  /** Undefined when the name has no numeric suffix (or one with a leading zero, which Slurm reads as a padded width). */
  readonly n?: number;
}

/** `hpc-cpu-12` → prefix `hpc-cpu-`, n 12; `10.42.4.7` → prefix `10.42.4.`, n 7. */
function split(name: string): Split {
  const m = /^(.*?[^0-9])(0|[1-9][0-9]{0,8})$/.exec(name);
  return m ? { prefix: m[1]!, n: Number(m[2]) } : { prefix: name };
}

/** `[1,2,3,5,7,8]` (ascending) → `1-3,5,7-8`. */
function ranges(numbers: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j === i ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return out.join(",");
}

function expression(prefix: string, numbers: readonly number[]): string {
  return numbers.length === 1 ? `${prefix}${numbers[0]}` : `${prefix}[${ranges(numbers)}]`;
}

/**
 * Compresses a set of names into one hostlist: names grouped by prefix (in the order each prefix
 * first appears), numbers sorted and duplicates dropped, groups joined with commas. For sets
 * (PartitionName Nodes=, SuspendExcNodes=), where order does not matter.
 *
 * @example compressHostlist(["hpc-cpu-1", "hpc-cpu-2", "hpc-cpu-3", "hpc-cpu-5"]) // "hpc-cpu-[1-3,5]"
 */
export function compressHostlist(names: readonly string[]): string {
  // Insertion order of the map is the order each prefix (or plain name) first appears.
  const groups = new Map<string, Set<number> | null>();
  for (const name of names) {
    const s = split(name);
    if (s.n === undefined) {
      // A name with no number stands alone; "\0" keeps it apart from a prefix of the same text.
      if (!groups.has(`\0${name}`)) groups.set(`\0${name}`, null);
      continue;
    }
    let set = groups.get(s.prefix);
    if (!set) groups.set(s.prefix, (set = new Set()));
    set.add(s.n);
  }
  return [...groups]
    .map(([key, set]) =>
      set === null
        ? key.slice(1)
        : expression(
            key,
            [...set].sort((a, b) => a - b),
          ),
    )
    .join(",");
}

export interface HostlistPair {
  /** Node names, e.g. `hpc-cpu-[1-255]`. */
  readonly names: string;
  /** Their addresses in the same order, e.g. `10.42.4.[1-255]`. */
  readonly addresses: string;
  /** How many nodes the pair names. */
  readonly count: number;
}

/**
 * Pairs of hostlists for `NodeName=... NodeAddr=...` lines. Slurm expands both and matches them
 * by position, so each pair must expand to the same number of entries in the same order: a new
 * pair starts wherever the name prefix changes, the address leaves its /24, or either number
 * does not increase (an expression written in ascending order expands in that order).
 * Linear in the number of nodes.
 *
 * @example hostlistPairs([{ name: "hpc-cpu-1", address: "10.42.4.1" }, { name: "hpc-cpu-2", address: "10.42.4.2" }])
 *   // [{ names: "hpc-cpu-[1-2]", addresses: "10.42.4.[1-2]", count: 2 }]
 */
export function hostlistPairs(nodes: ReadonlyArray<{ readonly name: string; readonly address: string }>): HostlistPair[] {
  const pairs: HostlistPair[] = [];
  let run: { prefix: string; subnet: string; names: number[]; octets: number[] } | undefined;
  const flush = () => {
    if (run) pairs.push({ names: expression(run.prefix, run.names), addresses: expression(run.subnet, run.octets), count: run.names.length });
    run = undefined;
  };
  for (const node of nodes) {
    const name = split(node.name);
    const address = split(node.address);
    if (name.n === undefined || address.n === undefined || !/^\d+\.\d+\.\d+\.$/.test(address.prefix)) {
      // Not compressible: a line of its own, written verbatim.
      flush();
      pairs.push({ names: node.name, addresses: node.address, count: 1 });
      continue;
    }
    if (run && run.prefix === name.prefix && run.subnet === address.prefix && name.n > run.names.at(-1)! && address.n > run.octets.at(-1)!) {
      run.names.push(name.n);
      run.octets.push(address.n);
      continue;
    }
    flush();
    run = { prefix: name.prefix, subnet: address.prefix, names: [name.n], octets: [address.n] };
  }
  flush();
  return pairs;
}

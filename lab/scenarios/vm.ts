import { CheckFailure, type ScenarioDefinition } from "../scenario.ts";

const MOUNT = "/media/volume/data";
const MARKER = `${MOUNT}/drover-lab-marker`;

/**
 * `vm`: a VirtualMachine with a data volume. Its first boot formats the volume and mounts it at
 * its path; a reboot mounts the same file system again (never formatted twice) with what was
 * written on it; the package from the user data is there; the admin logs in as `ubuntu` with
 * the key pair's key through the floating IP; and nothing leaves the lab but packages.
 */
export const vmScenario: ScenarioDefinition = {
  name: "vm",
  stack: "lab-vm",
  summary: "a VM with a volume: formatted once, mounted, kept across a reboot",
  substitutions: [
    "volume: a sparse file on a loop device handed to the machine, with the /dev/disk/by-id/virtio-<serial> link udev makes on a KVM guest made by the lab (no udev in a container)",
    "cloud-init reads a NoCloud seed the lab writes (user data, hostname, the key pair's key, the network) instead of OpenStack's config drive or metadata service; the metadata service the lab runs serves the instance metadata drover's volume script reads",
    "security groups are not enforced (the lab has no Neutron); the machine's own firewall rules are",
    "image: Debian 13 (trixie) built by debootstrap, not Ubuntu 24.04",
  ],
  async exercise(run) {
    const box = run.machine("lab-vm-box");
    const publicAddress = run.stack.machines.find((m) => m.name === "lab-vm-box")?.publicAddress;

    await run.check("the volume is formatted and mounted at its path", async () => {
      const found = await run.poll(120_000, async () => {
        const r = await box.exec(["findmnt", "-n", "-o", "SOURCE,FSTYPE,UUID", MOUNT]);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      });
      if (!found) throw new CheckFailure(`${MOUNT} is not mounted after 120 s`, await run.evidence(box, ["drover-volumes.service"]));
      const [, fstype, uuid] = found.split(/\s+/);
      const write = await box.sh(`echo drover-lab > ${MARKER} && sync && cat ${MARKER}`);
      if (write.code !== 0) throw new CheckFailure(`cannot write to ${MOUNT}: ${write.stderr.trim()}`);
      run.memo.set("uuid", uuid);
      return `${fstype} ${uuid} mounted at ${MOUNT}, writable`;
    });

    await run.check("the user data's package is installed", async () => {
      const r = await box.exec(["dpkg-query", "-W", "-f", "${Status} ${Version}", "tmux"]);
      if (!r.stdout.startsWith("install ok installed")) throw new CheckFailure(`tmux: ${r.stdout || r.stderr}`);
      return `tmux ${r.stdout.split(" ").pop()}`;
    });

    await run.check("the admin logs in as ubuntu with the key pair's key, through the floating IP", async () => {
      if (!publicAddress) throw new CheckFailure("the stack gives the VM no floating IP");
      const r = await run.ssh(run.lab.keys.admin, "ubuntu", publicAddress, "hostname; sudo -n true && echo sudo-ok");
      if (r.code !== 0 || !r.stdout.includes("lab-vm-box") || !r.stdout.includes("sudo-ok"))
        throw new CheckFailure(`ssh ubuntu@${publicAddress}: exit ${r.code}: ${(r.stderr || r.stdout).trim()}`, await run.evidence(box, ["ssh.service"]));
      return `ssh ubuntu@${publicAddress} → ${r.stdout.trim().split("\n").join(", ")}`;
    });

    await run.check("only the package proxy leads out of the lab", async () => {
      // By name (the lab's DNS knows only the stack's names) and by address (no route leads out).
      const direct = await box.exec(["curl", "-sS", "-m", "5", "--noproxy", "*", "http://deb.debian.org/debian/dists/trixie/InRelease"]);
      if (direct.code === 0) throw new CheckFailure("a machine reached deb.debian.org without the proxy: the lab network leaks");
      const byAddress = await box.exec(["curl", "-sS", "-m", "5", "--noproxy", "*", "http://1.1.1.1/"]);
      if (byAddress.code === 0) throw new CheckFailure("a machine reached 1.1.1.1 without the proxy: the lab network leaks");
      const proxied = await box.exec(["curl", "-sS", "-m", "20", "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://169.254.169.253:3142", "http://deb.debian.org/debian/dists/trixie/InRelease"]);
      if (proxied.stdout.trim() !== "200") throw new CheckFailure(`the package proxy answered ${proxied.stdout.trim() || proxied.stderr.trim()}`);
      return `direct: ${direct.stderr.trim().split("\n")[0]}; ${byAddress.stderr.trim().split("\n")[0]}; through the proxy: HTTP 200`;
    });

    await run.check("after a reboot the same file system is mounted again, its data kept", async () => {
      await box.reboot();
      const found = await run.poll(150_000, async () => {
        const r = await box.exec(["findmnt", "-n", "-o", "UUID", MOUNT]);
        return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
      });
      if (!found) throw new CheckFailure(`${MOUNT} is not mounted 150 s after the reboot`, await run.evidence(box, ["drover-volumes.service"]));
      if (found !== run.memo.get("uuid")) throw new CheckFailure(`the file system changed across the reboot (${String(run.memo.get("uuid"))} → ${found}): the volume was formatted again`);
      const marker = await box.exec(["cat", MARKER]);
      if (marker.stdout.trim() !== "drover-lab") throw new CheckFailure(`what was written before the reboot is gone: ${marker.stderr.trim()}`);
      const status = await box.exec(["cloud-init", "status"]);
      return `${found} mounted again, marker kept; cloud-init: ${status.stdout.trim().replace(/\n/g, " ")}`;
    });
  },
};

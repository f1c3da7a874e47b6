import type { Construct } from "constructs";
import type { CloudDriver, IMachine, VolumeSpec } from "../cloud.ts";

/**
 * A volume attached to `machine` (IDs `Volume-<role>` and `Attach-<role>` under `scope`) and
 * announced in its metadata as `drover_volume_<announceAs>` = `<volume id>:<mount path>`, where
 * drover-volumes on the machine finds it, formats it once and mounts it.
 */
export function attachVolume(driver: CloudDriver, scope: Construct, machine: IMachine, role: string, spec: VolumeSpec, mountPath: string, announceAs = role): void {
  const volume = driver.createVolume(scope, `Volume-${role}`, spec);
  driver.attachVolume(scope, `Attach-${role}`, machine, volume);
  machine.addMetadata(`drover_volume_${announceAs}`, `${volume.volumeId}:${mountPath}`);
}

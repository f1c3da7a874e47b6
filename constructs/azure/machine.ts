import type { Construct } from "constructs";
import { Fn, TerraformLocal } from "cdktf";
import type { LinuxVirtualMachine } from "@cdktf/provider-azurerm/lib/linux-virtual-machine/index.js";
import type { NetworkInterface, NetworkInterfaceIpConfiguration } from "@cdktf/provider-azurerm/lib/network-interface/index.js";
import type { AzureSize } from "../../lib/catalog/azure-sizes.ts";
import { gzipBase64 } from "../../lib/cloud-init.ts";
import { holdsToken } from "../../lib/terraform/text.ts";
import type { IMachine, IVolume } from "../cloud.ts";
import { fail } from "./firewall.ts";

/** Azure takes tag values of at most 256 characters. */
export const MAX_TAG_VALUE = 256;
/** Azure takes custom data of at most 65,535 bytes, once decoded from base64. */
export const AZURE_CUSTOM_DATA_MAX_BYTES = 65_535;

/**
 * A VM made by the Azure driver, with what later calls change: its tags (the machine's
 * metadata), its NIC's IP configuration (a public address bound after creation) and the LUN the
 * next data disk takes.
 *
 * @example
 * const machine = stack.driver.createMachine(scope, "Resource", spec); // an AzureMachine
 * machine.addMetadata("drover_role", "login");
 */
export class AzureMachine implements IMachine {
  readonly machineId: string;
  readonly privateAddress: string;
  private tags: Record<string, string>;
  private nextLun = 0;
  /** Data disks attached, by their ID's reference text: the length the ID will have. */
  private readonly diskIdLengths = new Map<string, number>();
  hasPublicAddress = false;
  constructor(
    private readonly path: string,
    readonly name: string,
    readonly vm: LinuxVirtualMachine,
    private readonly nic: NetworkInterface,
    private readonly ipConfiguration: NetworkInterfaceIpConfiguration,
    readonly sizeName: string,
    /** The catalog entry of its size; undefined for a size drover's catalog does not hold. */
    readonly size: AzureSize | undefined,
    tags: Record<string, string>,
  ) {
    this.machineId = vm.id;
    this.privateAddress = vm.privateIpAddress;
    this.tags = tags;
  }

  /**
   * VM tags, which the machine reads from the instance metadata service; they change in place.
   * Azure takes tag values of at most 256 characters, and a disk's resource ID is long: a volume
   * tag (disk ID, ":", mount path) is measured with the ID's final length.
   */
  addMetadata(key: string, value: string): void {
    let length = value.length;
    for (const [id, idLength] of this.diskIdLengths) if (value.includes(id)) length += idLength - id.length;
    if (length > MAX_TAG_VALUE) {
      fail(this.path, "azure.long-tag", `tag ${key} of machine ${this.name} would be ${length} characters, and Azure takes ${MAX_TAG_VALUE}: shorten the volume's name or its mount path`);
    }
    this.tags = { ...this.tags, [key]: value };
    this.vm.tags = this.tags;
  }

  /** Binds a public IP through the NIC's IP configuration (one per machine). */
  bindPublicAddress(publicIpId: string, path: string): void {
    if (this.hasPublicAddress) fail(path, "azure.second-public-address", `machine ${this.name} has a public address already; drover binds one per machine`);
    this.hasPublicAddress = true;
    this.nic.putIpConfiguration([{ ...this.ipConfiguration, publicIpAddressId: publicIpId }]);
  }

  /** LUNs in attach order: 0, 1, 2, ... up to what the size takes. */
  takeLun(path: string, disk: AzureVolume): number {
    this.diskIdLengths.set(disk.volumeId, disk.idLength);
    const max = this.size?.maxDataDisks ?? 64;
    if (this.nextLun >= max) {
      const why = this.size ? `size ${this.sizeName} takes ${max} data disks` : `Azure attaches at most ${max}`;
      fail(path, "azure.too-many-volumes", `machine ${this.name} has more than ${max} volumes attached; ${why}: pick a larger size or fewer volumes`);
    }
    return this.nextLun++;
  }
}

/**
 * A managed disk made by the Azure driver; `volumeId` is its resource ID, which the machine's
 * tags carry and the volume service matches to a LUN.
 *
 * @example
 * const volume = stack.driver.createVolume(scope, "Volume-data", { name: "lab-box-data", sizeGiB: 100, protect: true });
 * stack.driver.attachVolume(scope, "Attach-data", machine, volume);
 */
export class AzureVolume implements IVolume {
  readonly volumeId: string;
  attachedTo?: string;
  constructor(
    readonly name: string,
    readonly sizeGiB: number,
    readonly storageType: string,
    diskId: string,
    /** Characters of the resource ID once known: /subscriptions/<36>/resourceGroups/<group>/providers/Microsoft.Compute/disks/<name>. */
    readonly idLength: number,
  ) {
    this.volumeId = diskId;
  }
}

/**
 * Custom data, which Azure takes base64-encoded. Plain text is encoded here (compressed with
 * gzip past Azure's limit, which cloud-init unpacks by itself). Text with Terraform references
 * must be encoded by Terraform once they are filled in: it goes in a local value, and
 * custom_data calls base64encode() or base64gzip() on it (the text inside a quoted
 * base64encode("...") would not be filled in right: cdktf writes a reference inside `${...}`
 * without its own `${}`, so it would stay literal text).
 */
export function customDataOf(scope: Construct, id: string, template: string, path: string): string {
  const literal = template;
  const bytes = Buffer.byteLength(template);
  const fits = bytes <= AZURE_CUSTOM_DATA_MAX_BYTES;
  const references = holdsToken(template);
  if (fits && !references) return Buffer.from(literal).toString("base64");
  if (!fits) {
    // Measured on the text with references as written: a few bytes each.
    const compressed = Buffer.from(gzipBase64(literal), "base64").length;
    if (compressed > AZURE_CUSTOM_DATA_MAX_BYTES - 1024) {
      fail(
        path,
        "azure.custom-data-too-big",
        `the user data is ${bytes} bytes, ${compressed} compressed; Azure takes ${AZURE_CUSTOM_DATA_MAX_BYTES}: move large files to a volume or download them at boot`,
      );
    }
    if (!references) return gzipBase64(literal);
  }
  const text = new TerraformLocal(scope, id, template).asString;
  return fits ? Fn.base64encode(text) : Fn.base64gzip(text);
}

/**
 * Machine images and the account their cloud images log in as. Jetstream2 publishes "featured"
 * images, refreshed regularly under stable names.
 */
export interface ImageInfo {
  readonly name: string;
  /** The distribution's default login account for cloud images. */
  readonly loginUser: string;
  readonly family: "ubuntu" | "rocky" | "alma" | "debian";
  /**
   * The image carries a working NVIDIA driver, so GPU nodes see their GPUs at first boot. Only
   * true where the cloud documents it: Jetstream2 builds its vGPU driver (licensed, not in any
   * public package) into its Featured images, except the Minimal ones, whose kernel the driver
   * does not support, and Ubuntu 20.04, whose newer kernels it no longer supports.
   * @default false
   */
  readonly nvidiaDriver?: boolean;
}

export const JETSTREAM2_FEATURED_IMAGES: readonly ImageInfo[] = [
  { name: "Featured-Ubuntu24", loginUser: "ubuntu", family: "ubuntu", nvidiaDriver: true },
  { name: "Featured-Ubuntu22", loginUser: "ubuntu", family: "ubuntu", nvidiaDriver: true },
  { name: "Featured-Ubuntu20", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-Minimal-Ubuntu24", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-RockyLinux9", loginUser: "rocky", family: "rocky", nvidiaDriver: true },
  { name: "Featured-RockyLinux8", loginUser: "rocky", family: "rocky", nvidiaDriver: true },
  { name: "Featured-AlmaLinux9", loginUser: "almalinux", family: "alma", nvidiaDriver: true },
  { name: "Featured-AlmaLinux8", loginUser: "almalinux", family: "alma", nvidiaDriver: true },
];

const BY_FAMILY: ReadonlyArray<[RegExp, string]> = [
  [/ubuntu/i, "ubuntu"],
  [/rocky/i, "rocky"],
  [/alma/i, "almalinux"],
  [/debian/i, "debian"],
  [/centos/i, "cloud-user"],
  [/fedora/i, "fedora"],
];

/**
 * The login account for an image name: from the catalog, else guessed from the distribution in
 * the name, else undefined (the construct then asks for `sshUser`).
 */
export function loginUserFor(image: string, catalog: readonly ImageInfo[]): string | undefined {
  const known = catalog.find((i) => i.name === image);
  if (known) return known.loginUser;
  return BY_FAMILY.find(([re]) => re.test(image))?.[1];
}

/**
 * Machine images and the account their cloud images log in as. Jetstream2 publishes "featured"
 * images, refreshed regularly under stable names.
 */
export interface ImageInfo {
  readonly name: string;
  /** The distribution's default login account for cloud images. */
  readonly loginUser: string;
  readonly family: "ubuntu" | "rocky" | "alma" | "debian";
}

export const JETSTREAM2_FEATURED_IMAGES: readonly ImageInfo[] = [
  { name: "Featured-Ubuntu24", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-Ubuntu22", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-Ubuntu20", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-Minimal-Ubuntu24", loginUser: "ubuntu", family: "ubuntu" },
  { name: "Featured-RockyLinux9", loginUser: "rocky", family: "rocky" },
  { name: "Featured-RockyLinux8", loginUser: "rocky", family: "rocky" },
  { name: "Featured-AlmaLinux9", loginUser: "almalinux", family: "alma" },
  { name: "Featured-AlmaLinux8", loginUser: "almalinux", family: "alma" },
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

import type { ImageInfo } from "../../lib/catalog/images.ts";

/** A Marketplace image by its four parts, as `az vm image list` shows them. */
export interface AzureImageReference {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  readonly version: string;
}

/** An image drover knows on Azure by a short name. */
export interface AzureImage extends ImageInfo, AzureImageReference {
  /**
   * A Hyper-V generation 2 image, which trusted launch (Secure Boot and a virtual TPM) needs.
   * Canonical publishes both generations; drover names the generation 2 SKUs.
   */
  readonly generation2: true;
}

/**
 * Canonical's Ubuntu server images for x86_64. "latest" is resolved by Azure when a machine is
 * created; a newer image later does not touch running machines (the reference, not the
 * version, is what Terraform compares).
 *
 * Azure images have no built-in login account: the VM's admin account is created at first boot
 * under the name given, so `loginUser` here is drover's choice, kept to what Ubuntu uses
 * elsewhere so stacks move between clouds unchanged.
 */
export const AZURE_IMAGES: readonly AzureImage[] = [
  {
    name: "ubuntu-24.04",
    loginUser: "ubuntu",
    family: "ubuntu",
    publisher: "Canonical",
    offer: "ubuntu-24_04-lts",
    sku: "server",
    version: "latest",
    generation2: true,
  },
  {
    name: "ubuntu-22.04",
    loginUser: "ubuntu",
    family: "ubuntu",
    publisher: "Canonical",
    offer: "0001-com-ubuntu-server-jammy",
    sku: "22_04-lts-gen2",
    version: "latest",
    generation2: true,
  },
];

/** An image URN as the Azure CLI writes it: `publisher:offer:sku:version`. */
export const IMAGE_URN = /^([A-Za-z0-9][\w.-]*):([\w.-]+):([\w.-]+):([\w.-]+)$/;

/** The four parts of a URN, or undefined when `image` is not one. */
export function parseImageUrn(image: string): AzureImageReference | undefined {
  const m = IMAGE_URN.exec(image);
  return m ? { publisher: m[1]!, offer: m[2]!, sku: m[3]!, version: m[4]! } : undefined;
}

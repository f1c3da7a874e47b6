import type { ImageInfo } from "../../lib/catalog/images.ts";

/** Canonical's AWS account, the publisher of the official Ubuntu AMIs. */
export const CANONICAL_OWNER_ID = "099720109477";

/** An image drover knows on AWS by a short name, found as the newest AMI matching `namePattern`. */
export interface AwsImage extends ImageInfo {
  readonly owner: string;
  readonly namePattern: string;
}

/**
 * Ubuntu server images for x86_64 (every type in drover's AWS catalog is x86_64). Canonical
 * publishes a new AMI under the same pattern every few weeks; the driver takes the newest.
 */
export const AWS_IMAGES: readonly AwsImage[] = [
  {
    name: "ubuntu-24.04",
    loginUser: "ubuntu",
    family: "ubuntu",
    owner: CANONICAL_OWNER_ID,
    namePattern: "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*",
  },
  {
    name: "ubuntu-22.04",
    loginUser: "ubuntu",
    family: "ubuntu",
    owner: CANONICAL_OWNER_ID,
    namePattern: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*",
  },
];

/** An AMI ID as AWS writes it: `ami-` and 8 or 17 hex digits. */
export const AMI_ID = /^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

import type { ImageInfo } from "../../lib/catalog/images.ts";

/** An image drover knows on GCP by a short name: the newest image of a family in a public project. */
export interface GcpImage extends ImageInfo {
  /** The public project that publishes the family. */
  readonly project: string;
  readonly imageFamily: string;
}

/**
 * Canonical's Ubuntu server images for x86_64 (every type in drover's GCP catalog is x86_64).
 * Canonical adds a new image to each family every few weeks; the driver takes the family's
 * newest at the first deploy and keeps it (see GcpDriver.imageOf). Both carry cloud-init, which
 * reads the `user-data` instance attribute, and Google's guest agent, which creates the
 * accounts named in the `ssh-keys` attribute.
 */
export const GCP_IMAGES: readonly GcpImage[] = [
  { name: "ubuntu-24.04", loginUser: "ubuntu", family: "ubuntu", project: "ubuntu-os-cloud", imageFamily: "ubuntu-2404-lts-amd64" },
  { name: "ubuntu-22.04", loginUser: "ubuntu", family: "ubuntu", project: "ubuntu-os-cloud", imageFamily: "ubuntu-2204-lts" },
];

/**
 * An image named as Compute Engine does, taken as it is: `projects/<project>/global/images/<image>`
 * or `projects/<project>/global/images/family/<family>`, optionally as a full URL.
 */
export const GCP_IMAGE_PATH = /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/global\/images\/(?:family\/)?[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

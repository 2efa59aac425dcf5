/** The package format version written into `meta.eunomia_version`. */
export const EUNOMIA_VERSION = "1.0.0";

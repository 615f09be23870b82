// The fixed values of a record, for the schemas and for the forms (which must not pull the schemas into the browser).
export const SEXES = ["female", "male", "unknown"] as const;
export const RESULTS = ["detected", "not_detected", "failed"] as const;
export const METHODS = ["NGS_TISSUE", "NGS_PLASMA", "PCR", "FISH", "IHC"] as const;

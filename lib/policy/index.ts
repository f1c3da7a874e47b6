export { POLICY_CHECKS, policyCheck, type Finding, type PolicyCheck, type PolicyLevel, type Severity } from "./checks.ts";
export { runPolicy, policyOutcome, type PolicyInput, type PolicyReport, type Suppression } from "./run.ts";
export { renderFindings, findingsSummary } from "./render.ts";
export { maskSecret } from "./secrets.ts";

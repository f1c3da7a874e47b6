import { Lazy } from "cdktf";

/**
 * A Terraform expression drover writes by hand (`self.triggers_replace.secret`, a `for`
 * expression over a data source), as a token: every other string of a stack is text and has its
 * `${` escaped at synthesis (lib/terraform/text.ts), while a token resolves to `${expression}`.
 */
export function terraformExpression(expression: string): string {
  const text = `\${${expression}}`;
  return Lazy.stringValue({ produce: () => text });
}

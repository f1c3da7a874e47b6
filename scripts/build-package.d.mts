/** Compiles api/*.ts to dist/ with declarations; throws on a type error the build does not tolerate. */
export function compilePackage(): { absent: string[] };

/**
 * tsc's output lines (paths relative to drover's root) without those of `constructs/<dir>/` folders
 * where tsc cannot find a `@cdktf/provider-…` package that `installed` says is absent; and those packages.
 */
export function withoutAbsentDrivers(output: string, installed: (pkg: string) => boolean): { lines: string[]; absent: string[] };

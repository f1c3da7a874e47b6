/** Compiles api/*.ts to dist/ with declarations; throws on a type error the build does not tolerate. */
export function compilePackage(): { absent: string[] };

/**
 * What a message offers as the way out, in the words drover's messages use: what a value must
 * be, the nearest known name, an example, what to use, give, set, write or run instead.
 */
export const FIX =
  /must |did you mean|e\.g\.|: use |Use |give |set |write |quote |beneath|: try |Known: |instead|Deploy it first|Delete |Remove |Check |Free |Raise |restore|Run |pass |Create |point |Stacks: |drover [a-z]+ |Install |Make |Wait |rerun|release it/i;

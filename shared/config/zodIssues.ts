import { en } from 'zod/locales';
import * as z from 'zod/mini';

// zod/mini brings no messages of its own ("Invalid input" for every issue); classic zod loads the English ones on
// import. Every message shown to a sender or an operator passes through here, so this is where they are loaded.
z.config(en());

/** `["routes", 0, "scanner"]` → `routes[0].scanner`. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? String(seg) : `.${String(seg)}`)).join('');

/** One line per problem, each naming the exact path of the bad field. */
export const formatIssues = (error: z.core.$ZodError, prefix: readonly PropertyKey[] = []): string =>
  error.issues
    .map((issue) => {
      // A single unknown field is named in the path, like any other bad field.
      const field = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? issue.keys : [];
      const path = formatPath([...prefix, ...issue.path, ...field]);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');

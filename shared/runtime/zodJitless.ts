import * as z from 'zod/mini';

// zod compiles a fast parser (`new Function`) for each object schema the first time it parses one, which pays off
// only over many parses. A cold start parses each schema once or twice, and skipping the compile takes about 5 ms
// off it (npm run bench). Imported first by each handler: the setting must come before any schema is built.
z.config({ jitless: true });

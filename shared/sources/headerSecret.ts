/**
 * The secret a sender put in a header (`headers` have lower-case names). With no `header` configured it is the
 * `Authorization` value, raw or as `Bearer <secret>`: Harbor sends its "Auth Header" setting verbatim there.
 * With `header: "X-Name"` it is that header's value. SWR EE's `auth_header` setting is `name:value`; whether SWR
 * turns it into the header `name` or, like Harbor, sends it verbatim as `Authorization` is unconfirmed, so an
 * `Authorization: name:value` naming the expected header is read as well.
 */
export const headerSecret = (headers: Record<string, string>, header = 'authorization'): string | undefined => {
  const name = header.toLowerCase();
  if (name !== 'authorization' && Object.hasOwn(headers, name)) return headers[name];
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  if (auth.toLowerCase().startsWith(`${name}:`)) return auth.slice(name.length + 1).trim();
  if (name !== 'authorization') return undefined;
  const bearer = /^bearer\s+(.*)$/is.exec(auth);
  return bearer ? bearer[1] : auth;
};

// The URL an HTTP request asked for. Its target is a path (`/messages?room=a`); resolving it
// against a base as a relative reference would read a target starting with `//` as a host
// (`//evil/x` -> host `evil`), so the path is appended to the origin instead.

/**
 * The request's URL on `origin` (`http://host:port`); throws TypeError for a target that is not
 * a path or an absolute URL (`*`, garbage).
 *
 * @example
 * requestUrl("//postMessage?x=1", "http://127.0.0.1:3211").pathname // "//postMessage"
 */
export function requestUrl(target: string | undefined, origin: string): URL {
  const path = target ?? "/";
  return new URL(path.startsWith("/") ? `${origin}${path}` : path);
}

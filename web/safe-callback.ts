const FALLBACK = "/copies";
const BASE = "http://s3shift.invalid";

/**
 * Where to go after sign-in: a path of this site, or the console's start page. An absolute URL
 * counts only when it names this site (`siteOrigin`), and only its path is kept. The result is
 * parsed again, so that `/.//host`, `/\host` and the like (which browsers read as another host
 * once dot segments are removed) never come out.
 */
export function safeCallback(url: string | undefined, siteOrigin: string | undefined): string {
  if (!url) return FALLBACK;
  let target: URL;
  try {
    target = new URL(url, siteOrigin ?? BASE);
  } catch {
    return FALLBACK;
  }
  if (target.origin !== new URL(siteOrigin ?? BASE).origin) return FALLBACK;
  const path = target.pathname + target.search + target.hash;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return FALLBACK;
  if (new URL(path, BASE).origin !== BASE) return FALLBACK;
  return path === "/" ? FALLBACK : path;
}

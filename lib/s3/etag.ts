/** ETags arrive quoted from some calls and bare from others; compare them bare. */
export function normaliseEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}

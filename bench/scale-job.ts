// The no-change decision pass of a copy-to-S3 job over a large tree, without a store: the
// engine's walk, tracking rows and sorted listing (fed from the tracking rows, as an unchanged
// bucket would list them) merge-joined and decided entry by entry. Prints time and peak RSS.
import { decide } from "@/lib/engine/decide";
import { mergeJoin } from "@/lib/engine/merge";
import { RemoteIndex } from "@/lib/engine/remote-index";
import { TrackingStore } from "@/lib/engine/tracking-store";
import { walkTree } from "@/lib/engine/walk";
import { TreeHandle } from "@/lib/fs/beneath";

// The ETag scale.ts recorded for every file.
const ETAG = "0123456789abcdef0123456789abcdef";
const [directory, trackingFile] = process.argv.slice(2) as [string, string];
const tracking = new TrackingStore(trackingFile);
const started = performance.now();
const listing = new RemoteIndex();
await listing.fill(
  (async function* () {
    for await (const row of tracking.rows()) yield { relPath: row.path, size: row.size, etag: ETAG };
  })(),
);
const listed = performance.now();
const counts: Record<string, number> = {};
const joined = mergeJoin(
  mergeJoin(
    walkTree(TreeHandle.open(directory)),
    tracking.rows(),
    (e) => e.relPath,
    (t) => t.path,
  ),
  listing.sorted(),
  ([e]) => e.relPath,
  (r) => r.relPath,
);
for await (const [[entry, tracked], remote] of joined) {
  const action = decide({ entry, key: entry.relPath, tracked, remote }).action;
  counts[action] = (counts[action] ?? 0) + 1;
}
listing.close();
tracking.close();
console.log(
  JSON.stringify({
    listMs: listed - started,
    totalMs: performance.now() - started,
    counts,
    maxRssKiB: process.resourceUsage().maxRSS,
  }),
);

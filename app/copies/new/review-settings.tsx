"use client";

import type { RelationshipWarning, WhereDataGoes } from "@/lib/replication/check-object-relationship";
import { inFormWords } from "./plain-words";

/** Every setting that decides where the data goes, as the server checked it. */
export function ReviewSettings({ settings }: { settings: WhereDataGoes }) {
  const toRemote = settings.direction === "COPY_TO_OBJECT";
  // [term, value, is it a name or an address (shown in a fixed-width font)]
  const rows: Array<[string, string, boolean]> = [
    ["Direction", toRemote ? "Local ⇨ Remote (copy to S3)" : "Local ⇦ Remote (copy from S3)", false],
    [toRemote ? "From directory" : "To directory", settings.local_directory_path, true],
    ["Object store", settings.endpoint_url, true],
    ["Bucket style", settings.bucket_style === "BUCKET_STYLE_PATH" ? "Path" : "Virtual hosted", false],
    ["Region", settings.region, true],
    [toRemote ? "To bucket" : "From bucket", settings.bucket, true],
    ["Folder", settings.object_folder || "/ (the whole bucket)", true],
  ];
  if (settings.ca_certificate) rows.push(["CA Certificate", "given", false]);
  return (
    <dl
      className="grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[max-content_minmax(0,1fr)] sm:gap-y-1"
      data-testid="review-settings"
    >
      {rows.map(([term, value, literal]) => (
        <div key={term} className="contents">
          <dt className="text-slate-600">{term}</dt>
          <dd className={`mb-2 break-all sm:mb-0 ${literal ? "font-mono" : ""}`}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Likely mistakes the checks found; none of them stops the create. */
export function Warnings({ warnings }: { warnings: RelationshipWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="rounded border border-amber-400 bg-amber-50 p-3 text-sm text-amber-950" data-testid="warnings">
      <p className="font-medium">Check before you create it:</p>
      <ul className="mt-1 list-disc pl-5">
        {warnings.map((w) => (
          <li key={w.code} data-warning={w.code} className="break-words">
            {sentence(inFormWords(w.message))}
          </li>
        ))}
      </ul>
    </div>
  );
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

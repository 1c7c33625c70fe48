import Link from "next/link";
import { Fragment } from "react";

/** "Cluster › Copy to/from S3 › Details": where a page sits, each step but the last a link. */
export function Breadcrumb({ trail }: { trail: Array<{ label: string; href?: string }> }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-600">
      Cluster
      {trail.map((step) => (
        <Fragment key={step.label}>
          {" › "}
          {step.href ? (
            <Link href={step.href} className="underline">
              {step.label}
            </Link>
          ) : (
            <span aria-current="page">{step.label}</span>
          )}
        </Fragment>
      ))}
    </nav>
  );
}

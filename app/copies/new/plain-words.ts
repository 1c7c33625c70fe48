/**
 * The Create Copy form speaks the form's words: an error sits beside the field it concerns and
 * names other fields by their labels, never by the API's names (`ca_certificate`), and says
 * "copy" where the API says "relationship".
 */

/** The form's fields in the order they appear, with their labels. */
export const FIELD_LABELS = {
  direction: "Direction",
  local_directory_path: "Directory Path",
  bucket: "Bucket Name",
  object_folder: "Folder",
  region: "Region",
  access_key_id: "Access Key ID",
  secret_access_key: "Secret Access Key",
  object_store_address: "Object Store Address",
  port: "Port",
  ca_certificate: "CA Certificate",
  bucket_style: "Bucket Style",
  allow_plain_http: "Allow plain HTTP to a non-loopback address",
} as const;

export type FormField = keyof typeof FIELD_LABELS;
export const ADVANCED_FIELDS: readonly FormField[] = [
  "object_store_address",
  "port",
  "ca_certificate",
  "bucket_style",
  "allow_plain_http",
];

/** Where the form shows a problem the API gives for `field`; "form" when no field of the form has it. */
export function formFieldOf(field: string): FormField | "form" {
  if (field in FIELD_LABELS) return field as FormField;
  if (field === "local_directory_id") return "local_directory_path";
  return "form";
}

const API_NAMES = Object.keys(FIELD_LABELS).concat("local_directory_id");

/** `message` (a problem with `field`, without the field's name) as a sentence the form can show. */
export function plainMessage(field: string, message: string): string {
  const target = formFieldOf(field);
  const label = target === "form" ? undefined : FIELD_LABELS[target];
  if (label && (message === "is required" || message === "must not be empty")) return `${label} is required.`;
  if (label && /^must /.test(message)) return sentence(`${label} ${inFormWords(message)}`);
  return sentence(inFormWords(message));
}

/** A message that concerns no one field (a warning, a refusal), in the form's words. */
export function inFormWords(message: string): string {
  let text = message
    .replace(/set allow_plain_http to true/g, `tick "${FIELD_LABELS.allow_plain_http}"`)
    .replace(/\brelationships\b/g, "copies")
    .replace(/\brelationship\b/g, "copy");
  for (const name of API_NAMES) {
    const label = name === "local_directory_id" ? FIELD_LABELS.local_directory_path : FIELD_LABELS[name as FormField];
    // Names with "_" are never English words; the others only when quoted.
    text = name.includes("_")
      ? text.replace(new RegExp(`\\b${name}\\b`, "g"), label)
      : text.replace(new RegExp(`"${name}"`, "g"), label);
  }
  return text;
}

function sentence(text: string): string {
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

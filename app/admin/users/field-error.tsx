/** "must be at least 10 characters" beside its field reads "Initial password must be at least 10 characters." */
export function beside(label: string, message: string): string {
  if (!/^[a-z]/.test(message)) return message;
  return `${label} ${message}${/[.!?]$/.test(message) ? "" : "."}`;
}

export function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} role="alert" className="text-sm text-red-700">
      {message}
    </p>
  );
}

export function LacksPrivilege({ privilege, what }: { privilege: string; what: string }) {
  return (
    <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-5 text-sm">
      <p className="font-semibold">You lack the privilege for this page.</p>
      <p className="mt-1">
        {what} needs the {privilege} privilege, which your role does not grant. Ask an administrator.
      </p>
    </div>
  );
}

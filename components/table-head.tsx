/** The header row every console table uses. */
export function TableHead({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr className="border-b border-slate-300 text-slate-600">
        {columns.map((column) => (
          <th key={column} className="py-2 pr-4 font-medium">
            {column}
          </th>
        ))}
      </tr>
    </thead>
  );
}

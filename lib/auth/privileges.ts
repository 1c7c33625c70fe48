export const PRIVILEGES = {
  REPLICATION_READ: "PRIVILEGE_REPLICATION_OBJECT_READ",
  REPLICATION_WRITE: "PRIVILEGE_REPLICATION_OBJECT_WRITE",
  USER_ADMIN: "PRIVILEGE_USER_ADMINISTRATION",
  AUDIT_READ: "PRIVILEGE_AUDIT_READ",
} as const;

export type Privilege = (typeof PRIVILEGES)[keyof typeof PRIVILEGES];

/** The built-in roles: the table from role to privileges lives in the database, seeded from here. */
export const BUILT_IN_ROLES = [
  { id: "administrators", name: "Administrators", privileges: Object.values(PRIVILEGES) },
  { id: "observers", name: "Observers", privileges: [PRIVILEGES.REPLICATION_READ] },
] as const;

export interface Principal {
  userId: string;
  username: string;
  privileges: ReadonlySet<string>;
}

export function hasPrivilege(principal: Principal, privilege: Privilege): boolean {
  return principal.privileges.has(privilege);
}

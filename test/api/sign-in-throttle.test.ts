import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, OBSERVER, startApp, type AppServer } from "../support/app-server";
import { withAppDatabase } from "../support/app-database";
import { signInFrom as signInFromAddress } from "../support/sign-in-from";
import { lockDurationMs } from "@/lib/auth/login-throttle";

// Every 127.x.y.z address reaches the server over loopback, so each test guesses from
// addresses of its own, as separate machines would.
let app: AppServer;

beforeAll(async () => {
  app = await startApp({ worker: false });
});

afterAll(async () => {
  await app?.stop();
});

const INVALID = { error_class: "unauthenticated", description: "Invalid username or password." };
const LOCKED = /^Too many failed sign-ins for this account; try again in (\d+) seconds?\.$/;
const LOCKED_EVERYWHERE =
  /^Too many failed sign-ins for this account from several addresses; try again in (\d+) seconds?\.$/;

const signInFrom = (address: string, username: string, password: string, headers: Record<string, string> = {}) =>
  signInFromAddress(app.url, address, username, password, headers);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("sign-in throttling", () => {
  it("checks five wrong passwords from one address, then locks the name there for a second; a success clears the count", async () => {
    const from = "127.0.0.2";
    for (let i = 0; i < 5; i++) expect((await signInFrom(from, OBSERVER.username, `guess-${i}`)).json).toEqual(INVALID);
    const lockedAt = Date.now();
    const locked = await signInFrom(from, OBSERVER.username, OBSERVER.password);
    expect(locked.status).toBe(429);
    expect(locked.json).toEqual({
      error_class: "too_many_requests",
      description: "Too many failed sign-ins for this account; try again in 1 second.",
    });
    await sleep(lockedAt + 1_200 - Date.now());
    expect((await signInFrom(from, OBSERVER.username, OBSERVER.password)).status).toBe(200);
    // The count started again: five more wrong passwords are all checked.
    for (let i = 0; i < 5; i++) expect((await signInFrom(from, OBSERVER.username, `again-${i}`)).json).toEqual(INVALID);
  });

  it("refuses attempts during a lock without lengthening it; the next lock is only twice as long, and none passes 15 minutes", async () => {
    const from = "127.0.0.3";
    for (let i = 0; i < 5; i++) expect((await signInFrom(from, "trickle-target", `guess-${i}`)).status).toBe(401);
    const lockedAt = Date.now();
    const during = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signInFrom(from, "trickle-target", `during-${i}`)),
    );
    for (const reply of during) {
      expect(reply.status).toBe(429);
      expect(reply.json.description).toBe("Too many failed sign-ins for this account; try again in 1 second.");
    }
    await sleep(lockedAt + 1_200 - Date.now());
    // The twenty refused attempts did not count: the lock this guess starts is the second one, 2 s.
    expect((await signInFrom(from, "trickle-target", "after-the-lock")).json).toEqual(INVALID);
    const next = await signInFrom(from, "trickle-target", "too-soon");
    expect(next.status).toBe(429);
    expect(next.json.description).toBe("Too many failed sign-ins for this account; try again in 2 seconds.");
    expect(lockDurationMs(1_000)).toBe(15 * 60 * 1000);
  });

  it("locks a name only for the address that guessed: the administrator still signs in from another, and X-Forwarded-For changes nothing", async () => {
    const attacker = "127.0.0.4";
    for (let i = 0; i < 5; i++) expect((await signInFrom(attacker, "admin", `guess-${i}`)).status).toBe(401);
    const spoofs: Array<Record<string, string>> = [
      { "x-forwarded-for": "10.20.30.40" },
      { "x-s3shift-client-address": "forged 10.20.30.41" },
    ];
    for (const headers of spoofs) {
      const spoofed = await signInFrom(attacker, "admin", ADMIN_PASSWORD, headers);
      expect(spoofed.status).toBe(429);
      expect(spoofed.json.description).toMatch(LOCKED);
    }
    expect((await signInFrom("127.0.0.5", "admin", ADMIN_PASSWORD)).status).toBe(200);
    // A trickle from the attacker's address while the administrator works keeps only that address out.
    await signInFrom(attacker, "admin", "still-guessing");
    expect((await signInFrom("127.0.0.5", "admin", ADMIN_PASSWORD)).status).toBe(200);
  });

  it("checks exactly the allowance of a burst of 40 parallel guesses; the rest are refused before any password check", async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signInFrom("127.0.0.6", "burst-target", `parallel-${i}`)),
    );
    expect(replies.filter((r) => r.status === 401).length).toBe(5);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBe(35);
    for (const reply of refused) expect(reply.json.description).toMatch(LOCKED);
  });

  it("locks a name for every address after 50 attempts spread over many addresses in 15 minutes", async () => {
    const addresses = Array.from({ length: 11 }, (_, i) => `127.0.1.${i + 1}`);
    const replies = (
      await Promise.all(
        addresses.map(async (address) => {
          const mine = [];
          for (let i = 0; i < 5; i++) mine.push(await signInFrom(address, "ceiling-target", `spread-${i}`));
          return mine;
        }),
      )
    ).flat();
    expect(replies.filter((r) => r.status === 401).length).toBe(50);
    const refused = replies.filter((r) => r.status === 429);
    expect(refused.length).toBe(5);
    for (const reply of refused) expect(reply.json.description).toMatch(LOCKED_EVERYWHERE);
    const fresh = await signInFrom("127.0.2.1", "ceiling-target", "from-a-new-address");
    expect(fresh.status).toBe(429);
    const seconds = Number(LOCKED_EVERYWHERE.exec(fresh.json.description)?.[1]);
    expect(seconds).toBeGreaterThan(800);
    expect(seconds).toBeLessThanOrEqual(900);
  });

  it("stops one address from trying name after name (a password spray) after 100 failures in 15 minutes, but not the people who sign in there", async () => {
    const office = "127.0.9.1";
    // The administrator works from this address: a name known there is neither counted nor held back.
    expect((await signInFrom(office, "admin", ADMIN_PASSWORD)).status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const reply = await signInFrom(office, `spray-${i}`, "Winter2026!");
      expect(reply.status, `attempt ${i + 1}`).toBe(401);
      // A known name's successes in between give back nothing: the spray cannot be stretched with one.
      if (i % 25 === 0) expect((await signInFrom(office, "admin", ADMIN_PASSWORD)).status).toBe(200);
    }
    for (const [username, password] of [
      ["spray-100", "Winter2026!"],
      [OBSERVER.username, OBSERVER.password],
    ] as const) {
      const refused = await signInFrom(office, username, password);
      expect(refused.status, username).toBe(429);
      expect(refused.json.description).toMatch(
        /^Too many failed sign-ins from this address; try again in (\d+) seconds\.$/,
      );
    }
    expect((await signInFrom(office, "admin", ADMIN_PASSWORD)).status).toBe(200);
    expect((await signInFrom("127.0.9.2", OBSERVER.username, OBSERVER.password)).status).toBe(200);
    // The trail holds one row per failure checked, none for the attempts refused.
    const rows = await withAppDatabase(app, (database) =>
      database.get<{ n: number }>(
        `SELECT count(*) AS n FROM "AuditEvent" WHERE action = 'session.sign-in-failed' AND detail LIKE ?`,
        `%${office}"%`,
      ),
    );
    expect(rows!.n).toBe(100);
  });

  it("keeps the name-wide lock away from an address the owner signed in from before, so that spread guessing locks no owner out", async () => {
    const home = "127.0.4.1";
    expect((await signInFrom(home, "admin", ADMIN_PASSWORD)).status).toBe(200);
    const addresses = Array.from({ length: 11 }, (_, i) => `127.0.5.${i + 1}`);
    await Promise.all(
      addresses.map(async (address) => {
        for (let i = 0; i < 5; i++) await signInFrom(address, "admin", `spread-${i}`);
      }),
    );
    const stranger = await signInFrom("127.0.4.2", "admin", ADMIN_PASSWORD);
    expect(stranger.status).toBe(429);
    expect(stranger.json.description).toMatch(LOCKED_EVERYWHERE);
    expect((await signInFrom(home, "admin", ADMIN_PASSWORD)).status).toBe(200);
  });

  it("is described in the OpenAPI document", async () => {
    const spec = await (await fetch(`${app.url}/openapi.json`)).json();
    expect(spec.paths["/v1/session/login"].post.responses["429"]).toMatchObject({
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    });
  });
});

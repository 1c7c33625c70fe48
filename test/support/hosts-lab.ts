import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { startAppWithStore, stopAppWithStore, storeFields, type AppWithStore, type WorkerProcess } from "./app-server";
import { TcpRelay } from "./tcp-relay";
import { makeTestHosts, type TestHosts } from "./test-hosts";
import { replicationLog, writeTree } from "./worker-scenarios";

export const RELATIONSHIPS = "/v3/replication/object-relationships";

/** A line of a relationship's replication log, with the fields the hosts' scenarios read. */
export interface LogLine {
  time: string;
  event: string;
  unit?: number;
  worker?: string;
  takeovers?: number;
  units?: number;
  count?: number;
}

/**
 * Workers on hosts of their own: network namespaces with their own addresses, reaching
 * PostgreSQL and the S3 server through relays on this machine's address on their network, as
 * workers on several machines reach a database server and a store. Each worker has a data
 * directory of its own: only the file system being copied is shared.
 */
export interface HostsLab {
  hosts: TestHosts;
  lab: AppWithStore;
  workers: WorkerProcess[];
  /** A worker on each host, each with a new, empty data directory, and `env` besides. */
  startWorkers(env?: Record<string, string>): void;
  /** Restores every link and kills every worker. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  makeTree(name: string, files: number): Map<string, Buffer>;
  /** A copy of `/<name>` to the folder `<name>/`, through the store's address on the hosts' network. */
  createPush(name: string): Promise<string>;
  /** A copy from the folder `<folder>/` to a new, empty `/<name>`, the same way. */
  createPull(name: string, folder: string): Promise<string>;
  status(id: string): Promise<any>;
  /** The relationship's replication log, line by line, whichever host wrote it. */
  logOf(id: string): Promise<LogLine[]>;
  /** Which host runs the worker of this id ("host:pid:tag"). */
  hostOf(workerId: string): number;
}

export async function startHostsLab(
  bucket: string,
  { hosts: count, leaseSeconds }: { hosts: number; leaseSeconds: number },
): Promise<HostsLab> {
  const hosts = makeTestHosts(count);
  const relays: TcpRelay[] = [];
  const dataDirs: string[] = [];
  let lab: AppWithStore;
  try {
    lab = await startAppWithStore(bucket, {
      worker: false,
      allowedEndpoints: `127.0.0.0/8,::1,${hosts.network}`,
      extraEnv: { SHIFT_WORKER_LEASE_SECONDS: String(leaseSeconds) },
      secretKey: "the key every host of this installation is given",
    });
  } catch (error) {
    hosts.remove();
    throw error;
  }
  const database = new URL(lab.app.env.SHIFT_DATABASE_URL!);
  const databaseRelay = new TcpRelay({ host: database.hostname, port: Number(database.port) }, hosts.gateway);
  const storeRelay = new TcpRelay({ host: "127.0.0.1", port: lab.proxy.port }, hosts.gateway);
  relays.push(databaseRelay, storeRelay);
  await Promise.all(relays.map((relay) => relay.start()));
  const onNetwork = new URL(database);
  onNetwork.hostname = hosts.gateway;
  onNetwork.port = String(databaseRelay.port);

  const create = async (fields: Record<string, unknown>): Promise<string> => {
    const created = await lab.app.call("POST", `${RELATIONSHIPS}/`, {
      token: lab.token,
      body: {
        ...storeFields(storeRelay.port, bucket),
        object_store_address: `http://${hosts.gateway}`,
        allow_plain_http: true,
        ...fields,
      },
    });
    expect(created.status, created.text).toBe(201);
    return created.json.id as string;
  };

  const self: HostsLab = {
    hosts,
    lab,
    workers: [],
    startWorkers(env = {}) {
      self.workers = hosts.hosts.map((_, i) => {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `s3shift-host${i}-`));
        dataDirs.push(dataDir);
        return lab.app.addWorker(
          { SHIFT_DATABASE_URL: onNetwork.href, SHIFT_DATA_DIR: dataDir, ...env },
          hosts.exec(i),
        );
      });
    },
    async reset() {
      for (let i = 0; i < count; i++) hosts.restore(i);
      await Promise.all(self.workers.map((worker) => worker.kill()));
      self.workers = [];
    },
    async stop() {
      await self.reset();
      await Promise.all(relays.map((relay) => relay.stop()));
      await stopAppWithStore(lab);
      hosts.remove();
      for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
    },
    makeTree: (name, files) => writeTree(lab.app.fsRoot, name, files),
    createPush: (name) => create({ local_directory_path: `/${name}`, object_folder: `${name}/` }),
    createPull(name, folder) {
      fs.mkdirSync(path.join(lab.app.fsRoot, name));
      return create({ direction: "COPY_FROM_OBJECT", local_directory_path: `/${name}`, object_folder: `${folder}/` });
    },
    logOf: async (id) =>
      (await replicationLog(lab.app, id))
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as LogLine),
    status: async (id) => (await lab.app.call("GET", `${RELATIONSHIPS}/${id}/status`, { token: lab.token })).json,
    hostOf(workerId) {
      const pid = Number(workerId.split(":")[1]);
      const index = self.workers.findIndex((worker) => worker.pid === pid);
      expect(index, `worker ${workerId} is one of the hosts' workers`).toBeGreaterThanOrEqual(0);
      return index;
    },
  };
  return self;
}

/**
 * A lab of hosts for a test file: started before its first test, reset after each (links
 * restored, workers killed, the proxy's log and interceptor cleared), stopped after the last;
 * with a client of its PostgreSQL, for the rows a test reads. Its fields are set once started.
 */
export function useHostsLab(
  bucket: string,
  options: { hosts: number; leaseSeconds: number },
): { hostsLab: HostsLab; database: pg.Client } {
  const setup = {} as { hostsLab: HostsLab; database: pg.Client };
  beforeAll(async () => {
    setup.hostsLab = await startHostsLab(bucket, options);
    setup.database = new pg.Client({ connectionString: setup.hostsLab.lab.app.env.SHIFT_DATABASE_URL });
    await setup.database.connect();
  }, 120_000);
  afterEach(async () => {
    await setup.hostsLab.reset();
    setup.hostsLab.lab.proxy.interceptor = undefined;
    setup.hostsLab.lab.proxy.reset();
  });
  afterAll(async () => {
    await setup.database?.end();
    await setup.hostsLab?.stop();
  });
  return setup;
}

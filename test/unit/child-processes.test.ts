import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { terminateAll } from "@/lib/process/child-processes";

describe("stopping child processes", () => {
  it("asks with SIGTERM, and kills one that does not stop within the grace period", async () => {
    const polite = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const stubborn = spawn(
      process.execPath,
      ["-e", "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')"],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    await new Promise((resolve) => stubborn.stdout!.once("data", resolve));

    await terminateAll([polite, stubborn], 300);

    expect(polite.signalCode).toBe("SIGTERM");
    expect(stubborn.signalCode).toBe("SIGKILL");
  });
});

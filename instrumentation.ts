// Runs once when the web server starts, before it serves a request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { prepareWebServerProcess } = await import("@/lib/process/web-server-process");
  prepareWebServerProcess();
}

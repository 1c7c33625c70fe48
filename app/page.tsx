export default function Home() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto", lineHeight: 1.5 }}>
      <h1>S3 Shift</h1>
      <p>Copies directory trees between this server&apos;s file system and S3 buckets.</p>
      <ul>
        <li>
          REST API: <code>/v3/replication/object-relationships/</code> (sign in with <code>POST /v1/session/login</code>)
        </li>
        <li>
          API description: <a href="/openapi.json">/openapi.json</a>
        </li>
        <li>
          Command line: <code>npx s3shift --help</code>
        </li>
      </ul>
    </main>
  );
}

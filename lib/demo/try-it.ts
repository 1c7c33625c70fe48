import { DEMO_ACCESS_KEY, DEMO_BUCKET } from "./demo-s3";

/**
 * The commands `npm start` suggests for a first copy to the demo endpoint. No secret is on them:
 * every user of the machine can read a command line, so the client asks for the password and
 * the secret key (or reads S3SHIFT_PASSWORD and S3SHIFT_SECRET_ACCESS_KEY).
 */
export function demoTryIt(endpoint: string, adminUsername: string, secretFile?: string): string {
  const url = new URL(endpoint);
  return [
    `  try it:           npx s3shift login --username ${adminUsername}   (asks for the password)`,
    ...(secretFile ? [`                    export S3SHIFT_SECRET_ACCESS_KEY="$(cat ${secretFile})"`] : []),
    `                    npx s3shift replication_create_object_relationship --local-directory-path / \\`,
    `                      --object-store-address ${url.protocol}//${url.hostname} --port ${url.port} --bucket-style BUCKET_STYLE_PATH \\`,
    `                      --bucket ${DEMO_BUCKET} --object-folder first-copy/ --access-key-id ${DEMO_ACCESS_KEY}`,
    `                    (asks for the secret key, or reads S3SHIFT_SECRET_ACCESS_KEY: secrets stay off the command line, which ps shows to every user)`,
  ].join("\n");
}

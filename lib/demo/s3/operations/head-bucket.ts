import type { RequestContext } from "../context";

export async function headBucket({ response }: RequestContext): Promise<void> {
  response.setHeader("x-amz-bucket-region", "us-east-1");
  response.end();
}

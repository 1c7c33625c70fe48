import { z } from "zod";
import { loginInputSchema } from "@/lib/auth/login";
import { PRIVILEGES } from "@/lib/auth/privileges";
import { fieldSchema, jobProgressSchema } from "@/lib/progress/api-view";
import { PROGRESS_FIELDS } from "@/lib/progress/fields";
import { WARNING_CODES } from "@/lib/replication/check-object-relationship";
import { modifyRelationshipSchema } from "@/lib/replication/modify-object-relationship";
import { createRelationshipSchema } from "@/lib/replication/relationship-input";

const throughputSeries = fieldSchema(PROGRESS_FIELDS.throughputSeries);

const relationship = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    direction: {
      enum: ["COPY_TO_OBJECT", "COPY_FROM_OBJECT"],
      description: "which way the job copies: into the bucket, or from it",
    },
    local_directory_id: { type: "string" },
    local_directory_path: { type: "string" },
    object_store_address: { type: "string" },
    port: { type: "integer" },
    ca_certificate: { type: ["string", "null"] },
    bucket: { type: "string" },
    bucket_style: { enum: ["BUCKET_STYLE_VIRTUAL_HOSTED", "BUCKET_STYLE_PATH"] },
    object_folder: { type: "string" },
    region: { type: "string" },
    access_key_id: { type: "string" },
    allow_plain_http: { type: "boolean" },
    created_at: { type: "string", format: "date-time" },
  },
};

const takeovers = {
  type: "integer",
  description:
    "how often the job was put back in the queue after its worker stopped renewing its lease, and continued by another",
};

/** Which job a lease is held on, and what it copies. */
const leasedJob = {
  job_id: { type: "string" },
  relationship_id: { type: "string" },
  direction: { enum: ["COPY_TO_OBJECT", "COPY_FROM_OBJECT"] },
  local_directory_path: { type: "string" },
  bucket: { type: "string" },
  object_folder: { type: "string" },
};

const worker = {
  type: "object",
  properties: {
    id: { type: "string", description: "host:pid:random" },
    host: { type: "string" },
    pid: { type: "integer" },
    version: { type: "string" },
    state: {
      enum: ["RUNNING", "SILENT", "STOPPED"],
      description: "SILENT: no heartbeat for longer than a job's lease; its jobs are being taken over",
    },
    started_at: { type: "string", format: "date-time" },
    heartbeat_at: { type: "string", format: "date-time" },
    stopped_at: { type: "string", description: 'RFC 3339, or "" while it runs' },
    running_jobs: {
      type: "array",
      items: {
        type: "object",
        properties: {
          ...leasedJob,
          start_time: { type: "string", format: "date-time" },
          lease_expires_at: { type: "string", format: "date-time" },
          takeovers,
          work_units: {
            type: "integer",
            description:
              "how many work units the job is split into (PostgreSQL), which any worker runs; 0: it runs whole here",
          },
        },
      },
    },
    running_units: {
      type: "array",
      description: "the work units of split jobs this worker runs",
      items: {
        type: "object",
        properties: {
          ...leasedJob,
          unit: { type: "integer", description: "the unit's number in its job, from 0" },
          from_key: { type: "string", description: "the first key of the unit's range (relative to the folder)" },
          to_key: { type: "string", description: 'the first key after it, or "" to the end' },
          lease_expires_at: { type: "string", format: "date-time" },
          takeovers,
        },
      },
    },
  },
};

const status = {
  allOf: [
    { $ref: "#/components/schemas/Relationship" },
    {
      type: "object",
      properties: {
        state: { enum: ["REPLICATION_RUNNING", "REPLICATION_NOT_RUNNING"] },
        current_job: {
          oneOf: [
            { type: "null" },
            {
              type: "object",
              properties: {
                job_id: { type: "string" },
                job_state: { enum: ["QUEUED", "RUNNING"] },
                worker_id: { type: "string", description: 'the worker holding the job\'s lease, or "" while queued' },
                takeovers: takeovers,
                start_time: { type: "string", format: "date-time" },
                estimated_end_time: { type: "string", description: 'RFC 3339, or "" while unknown' },
                read_mode: { enum: ["snapshot", "stable-read", null] },
                job_progress: { $ref: "#/components/schemas/JobProgress" },
                throughput_series: throughputSeries,
              },
            },
          ],
        },
        last_job: {
          oneOf: [
            { type: "null" },
            {
              type: "object",
              properties: {
                job_id: { type: "string" },
                outcome: {
                  enum: ["SUCCEEDED", "FAILED", "ABORTED", "INTERRUPTED"],
                  description:
                    "FAILED: the job ended early, or went through every entry but could not copy some files (then completed_with_errors is true).",
                },
                completed_with_errors: {
                  type: "boolean",
                  description:
                    "true when the job went through every entry but some files could not be copied (job_progress.files_failed; error names the first); the console says Completed with N errors",
                },
                takeovers: takeovers,
                start_time: { type: "string", format: "date-time" },
                end_time: { type: "string", format: "date-time" },
                error: { type: "string", description: "empty on success" },
                read_mode: { enum: ["snapshot", "stable-read", null] },
                job_progress: { $ref: "#/components/schemas/JobProgress" },
                throughput_series: throughputSeries,
              },
            },
          ],
        },
        last_success_time: {
          type: "string",
          description:
            'When the newest job that SUCCEEDED ended (RFC 3339), or "" when none has; a job that completed with errors is not a success',
        },
      },
    },
  ],
};

const warnings = {
  type: "array",
  description:
    "Likely mistakes that did not stop the request: empty_object_folder (a copy from S3 of a folder that holds no objects, or does not exist), duplicate_relationship (another relationship already copies the same directory to or from the same bucket folder of the same object store)",
  items: {
    type: "object",
    required: ["code", "message"],
    properties: { code: { enum: [...WARNING_CODES] }, message: { type: "string" } },
  },
};

const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((code) => [
      String(code),
      {
        description: ERROR_TEXT[code],
        content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
      },
    ]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input; the description names the field and the cause",
  401: "No valid bearer token",
  403: "The caller's role lacks the privilege, or a request signed in by the console's cookie came from another origin or was not JSON",
  404: "No such relationship",
  409: "Conflicts with a running job",
  413: "The request body is over 64 KiB",
  429: "Too many failed sign-ins for this name from this address, for this name from many addresses, or from this address over many names; the description says how long to wait",
};

const json = (schema: object) => ({ content: { "application/json": { schema } } });
const idParam = [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }];
const read = { security: [{ bearer: [] }], "x-privilege": PRIVILEGES.REPLICATION_READ };
const write = { security: [{ bearer: [] }], "x-privilege": PRIVILEGES.REPLICATION_WRITE };

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "S3 Shift API",
    version: "1.0.0",
    description: "Copy directory trees between this server's file system and S3 buckets.",
  },
  components: {
    securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
    schemas: {
      Error: {
        type: "object",
        required: ["error_class", "description"],
        properties: { error_class: { type: "string" }, description: { type: "string" }, field: { type: "string" } },
      },
      Relationship: relationship,
      Warnings: warnings,
      RelationshipCreated: {
        allOf: [
          { $ref: "#/components/schemas/Relationship" },
          {
            type: "object",
            required: ["warnings"],
            properties: { warnings: { $ref: "#/components/schemas/Warnings" } },
          },
        ],
      },
      RelationshipCreate: z.toJSONSchema(createRelationshipSchema, { io: "input", unrepresentable: "any" }),
      RelationshipModify: z.toJSONSchema(modifyRelationshipSchema, { io: "input", unrepresentable: "any" }),
      JobProgress: jobProgressSchema,
      RelationshipStatus: status,
      Worker: worker,
    },
  },
  paths: {
    "/v1/session/login": {
      post: {
        summary: "Sign in and receive a bearer token",
        requestBody: json(z.toJSONSchema(loginInputSchema)),
        responses: {
          "200": {
            description: "Signed in",
            ...json({ type: "object", properties: { bearer_token: { type: "string" } } }),
          },
          ...errorResponses(400, 401, 413, 429),
        },
      },
    },
    "/v1/session/logout": {
      post: {
        security: [{ bearer: [] }],
        summary: "Sign out: the calling bearer token stops working",
        responses: { "204": { description: "The token is revoked" }, ...errorResponses(401) },
      },
    },
    "/v3/replication/object-relationships/": {
      get: {
        ...read,
        summary: "List relationships",
        responses: {
          "200": {
            description: "All relationships",
            ...json({ type: "array", items: { $ref: "#/components/schemas/Relationship" } }),
          },
          ...errorResponses(401, 403),
        },
      },
      post: {
        ...write,
        summary: "Create a relationship and start its first job",
        requestBody: json({ $ref: "#/components/schemas/RelationshipCreate" }),
        responses: {
          "201": {
            description: "Created; warnings name likely mistakes (empty when there are none)",
            ...json({ $ref: "#/components/schemas/RelationshipCreated" }),
          },
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    "/v3/replication/workers": {
      get: {
        ...read,
        summary: "List the workers seen in the last day: their host, heartbeat and the jobs each runs",
        responses: {
          "200": {
            description: "Workers, those running first",
            ...json({ type: "array", items: { $ref: "#/components/schemas/Worker" } }),
          },
          ...errorResponses(401, 403),
        },
      },
    },
    "/v3/replication/object-relationships/check": {
      post: {
        ...write,
        summary:
          "Run every check of a create (directory, endpoint rules, TLS, credentials, bucket, Object Lock, overlap) without creating anything",
        requestBody: json({ $ref: "#/components/schemas/RelationshipCreate" }),
        responses: {
          "200": {
            description: "Every check passed; a create with this body would be accepted",
            ...json({
              type: "object",
              required: ["ok", "warnings"],
              properties: { ok: { const: true }, warnings: { $ref: "#/components/schemas/Warnings" } },
            }),
          },
          ...errorResponses(400, 401, 403, 413),
        },
      },
    },
    "/v3/replication/object-relationships/status/": {
      get: {
        ...read,
        summary: "Status of every relationship",
        responses: {
          "200": {
            description: "Statuses",
            ...json({ type: "array", items: { $ref: "#/components/schemas/RelationshipStatus" } }),
          },
          ...errorResponses(401, 403),
        },
      },
    },
    "/v3/replication/object-relationships/{id}": {
      parameters: idParam,
      get: {
        ...read,
        summary: "One relationship",
        responses: {
          "200": { description: "The relationship", ...json({ $ref: "#/components/schemas/Relationship" }) },
          ...errorResponses(401, 403, 404),
        },
      },
      patch: {
        ...write,
        summary:
          "Change a relationship's settings (its credentials: checked against the store first); its tracking state is kept",
        requestBody: json({ $ref: "#/components/schemas/RelationshipModify" }),
        responses: {
          "200": { description: "Changed", ...json({ $ref: "#/components/schemas/Relationship" }) },
          ...errorResponses(400, 401, 403, 404, 413),
        },
      },
      delete: {
        ...write,
        summary: "Delete a relationship (its tracking state; never the bucket's objects)",
        responses: { "204": { description: "Deleted" }, ...errorResponses(401, 403, 404, 409) },
      },
    },
    "/v3/replication/object-relationships/{id}/replicate": {
      parameters: idParam,
      post: {
        ...write,
        summary: "Start a new job",
        responses: {
          "200": {
            description: "Status with the queued job",
            ...json({ $ref: "#/components/schemas/RelationshipStatus" }),
          },
          ...errorResponses(401, 403, 404, 409),
        },
      },
    },
    "/v3/replication/object-relationships/{id}/abort-replication": {
      parameters: idParam,
      post: {
        ...write,
        summary: "Stop the running job",
        responses: {
          "200": { description: "Status", ...json({ $ref: "#/components/schemas/RelationshipStatus" }) },
          ...errorResponses(401, 403, 404, 409),
        },
      },
    },
    "/v3/replication/object-relationships/{id}/status": {
      parameters: idParam,
      get: {
        ...read,
        summary: "Relationship, state, current job and last job",
        responses: {
          "200": { description: "Status", ...json({ $ref: "#/components/schemas/RelationshipStatus" }) },
          ...errorResponses(401, 403, 404),
        },
      },
    },
  },
};

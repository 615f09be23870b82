// The server's environment, read once through one schema. scripts/serve.ts fills DATABASE_URL (embedded
// PostgreSQL) and AUTH_SECRET (demo only) before the app starts.
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, { error: "DATABASE_URL must be a postgresql:// URL" }),
  AUTH_SECRET: z.string().min(32, { error: "AUTH_SECRET must be at least 32 characters" }),
  /** The public URL; one-time links are built on it (else on the request's host). */
  NEXTAUTH_URL: z.url({ error: "NEXTAUTH_URL must be a URL such as https://trialbridge.example.org" }).optional(),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** A session ends after this long without a request. */
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  /** A session ends this long after sign-in, whatever its activity. */
  SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  /** Proxies in front of the app that append to X-Forwarded-For (the client's address is that many from the right). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /** A forecast still simulating after this long is stopped and answered with a 503. */
  FORECAST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(20_000),
  /** Live streams send a heartbeat this often, and re-check the user's access each time. */
  LIVE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  /** How often the audit chain's head is signed (a checkpoint), when it has moved. */
  AUDIT_CHECKPOINT_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 3600)
    .default(60),
  /** How often the node looks for changed counts to sign into a snapshot for its peer. */
  FEDERATION_SNAPSHOT_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
  /** A snapshot is sent at least this often, changed or not, so the peer can tell a quiet node from a dead link. */
  FEDERATION_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /** The peer's counts are shown as stale once its latest snapshot is older than this. */
  FEDERATION_STALE_SECONDS: z.coerce.number().int().min(2).max(86_400).default(120),
  /** A snapshot signed longer ago than this is refused (unless a fresh successor of its chain vouches for it). */
  FEDERATION_MAX_AGE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(600),
  /** How long a long-poll for the peer's snapshots waits for a new one. */
  FEDERATION_POLL_SECONDS: z.coerce.number().int().min(1).max(60).default(25),
  /** Roles that must sign in with a second factor (TOTP): any of admin, coordinator, investigator, sponsor. */
  TOTP_REQUIRED_ROLES: z
    .string()
    .default("")
    .refine(
      (v) =>
        v
          .split(",")
          .map((r) => r.trim().toLowerCase())
          .filter(Boolean)
          .every((r) => ["admin", "coordinator", "investigator", "sponsor"].includes(r)),
      {
        error: "TOTP_REQUIRED_ROLES is a comma-separated list of admin, coordinator, investigator, sponsor",
      },
    ),
  /** The SMTP server digests go through (smtp:// or smtps://, credentials in the URL); unset: no email is sent. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, { error: "SMTP_URL must be an smtp:// or smtps:// URL" })
    .optional(),
  MAIL_FROM: z.string().min(3).default("TrialBridge <no-reply@trialbridge.invalid>"),
  /** How often each instance looks for time-based checks and digests that are due (the queue runs each once). */
  ALERT_SWEEP_SECONDS: z.coerce.number().int().min(1).max(3_600).default(60),
  /** The period of time-based alert rules (a site silent for N days): each rule is checked once a period. */
  ALERT_CHECK_PERIOD_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3_600),
  /** A check holds its lock this long before telling (crash-recovery tests only; 0 in use). */
  ALERT_CHECK_HOLD_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /** A job still running after this long is taken for dead (its instance crashed) and run again. */
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(300),
  /** How often the queue looks for such jobs. */
  JOB_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  /** A failed webhook delivery is tried again after this long, doubling each time. */
  WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3_600).default(30),
  /** Retries after the first attempt before a delivery is given up. */
  WEBHOOK_RETRY_LIMIT: z.coerce.number().int().min(0).max(20).default(6),
  /** Deliveries given up in a row after which an endpoint is disabled and its owner told. */
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(100).default(5),
  /** Allow http:// and private addresses for webhooks (tests and closed networks only; off: https and public only). */
  WEBHOOKS_ALLOW_PRIVATE: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
});

export type ServerEnv = z.infer<typeof schema>;

let cached: ServerEnv | undefined;

export function serverEnv(): ServerEnv {
  if (cached) return cached;
  const parsed = schema.safeParse({ ...process.env, AUTH_SECRET: process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`Invalid server environment: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}

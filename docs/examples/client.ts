// A typed TrialBridge client in a few lines: the types come from the API's OpenAPI description
// (./trialbridge-api.d.ts, `npm run api:types`), the calls from openapi-fetch. It signs in as a coordinator, lists
// the trials, registers a screened patient (with an Idempotency-Key, so a retry never registers twice) and reads the
// trial's enrolment counts. CI type-checks it and runs it against the test server (tests/e2e/client-example.spec.ts).
//
//   TRIALBRIDGE_URL=http://localhost:3000 TRIALBRIDGE_EMAIL=coordinator.us@example.org \
//   TRIALBRIDGE_PASSWORD=trialbridge-demo npx tsx docs/examples/client.ts
//
// API tokens are read-only (GET); registering a patient needs a signed-in session, as here.
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./trialbridge-api";

type Participant = components["schemas"]["Participant"];

/** Signs in through next-auth's credentials endpoint; answers the session cookie. */
async function signIn(origin: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const answer = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; ") },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  const session = answer.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.includes("session-token"));
  if (!session) throw new Error(`sign-in of ${email} failed (${answer.status})`);
  return session;
}

export async function main(origin: string, email: string, password: string) {
  const api = createClient<paths>({ baseUrl: `${origin}/api/v1`, headers: { cookie: await signIn(origin, email, password) } });

  const trials = await api.GET("/trials");
  if (!trials.data) throw new Error(`listing trials: ${trials.error?.error.message}`);
  const trial = trials.data.items[0];
  if (!trial) throw new Error("no trial to register in");
  console.log(`${trial.code}: ${trial.enrolled} of ${trial.target} enrolled (US ${trial.byCountry.US.enrolled}, CN ${trial.byCountry.CN.enrolled})`);

  // Which site to register at: the caller's own, from a page of the participants it may see.
  const seen = await api.GET("/trials/{trialId}/participants", { params: { path: { trialId: trial.id }, query: { limit: 1 } } });
  const siteId = seen.data?.items[0]?.siteId;
  if (!siteId) throw new Error("no site of yours in this trial");

  const idempotencyKey = randomUUID(); // sent again on a retry: the same patient, registered once
  const register = () =>
    api.POST("/trials/{trialId}/participants", {
      params: { path: { trialId: trial.id }, header: { "Idempotency-Key": idempotencyKey } },
      body: {
        siteId,
        screeningDate: new Date().toISOString().slice(0, 10),
        ageAtScreening: 61,
        sex: "female",
        results: [{ subtype: "EGFR exon 19 deletion", result: "detected", method: "NGS_TISSUE" }],
      },
    });
  const first = await register();
  if (!first.data) throw new Error(`registering: ${first.error?.error.message} ${JSON.stringify(first.error?.error.fields ?? {})}`);
  const again = await register();
  const participant: Participant = first.data;
  console.log(`registered ${participant.screeningNumber} (${participant.status}); the retry answered ${again.data?.screeningNumber}`);

  const enrolment = await api.GET("/trials/{trialId}/enrolment", { params: { path: { trialId: trial.id } } });
  if (!enrolment.data) throw new Error(`reading counts: ${enrolment.error?.error.message}`);
  const { totals, byCountry } = enrolment.data;
  console.log(
    `screened ${totals.screened} (US ${byCountry.US.screened}, CN ${byCountry.CN.screened}), enrolled ${totals.enrolled} of ${enrolment.data.target}`,
  );
  return { participant, retried: again.data ?? null, screened: totals.screened };
}

if (process.argv[1]?.endsWith("client.ts")) {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`set ${name}`);
    return value;
  };
  main(env("TRIALBRIDGE_URL"), env("TRIALBRIDGE_EMAIL"), env("TRIALBRIDGE_PASSWORD")).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

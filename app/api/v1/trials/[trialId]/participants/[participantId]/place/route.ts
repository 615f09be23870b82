import { requireActor } from "@/lib/auth/session";
import { apiHandler, reply } from "@/lib/http/api";
import { placeHeld, placeReleased } from "@/lib/openapi/responses";
import { nudgeFold } from "@/lib/enrolment/folder";
import { readJson } from "@/lib/http/validation";
import { releasePlace, reservePlace } from "@/lib/matching/reserve";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ trialId: string; participantId: string }> };

/**
 * Holds a place in a cohort for a consented patient (`{cohortId, days}`): 201 with the hold, or, when the cohort has
 * no place free, 202 with the patient's position on its waitlist.
 */
export const POST = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  const answer = await reservePlace(actor, trialId, participantId, await readJson(request, 16 * 1024));
  nudgeFold(trialId); // open dashboards hear of the place
  return reply(placeHeld, answer, { status: answer.state === "held" ? 201 : 202 });
});

/** Releases the patient's held place in `?cohortId=` (the next patient waiting is offered it), or leaves its waitlist. */
export const DELETE = apiHandler<Context>(async (request, { params }) => {
  const actor = await requireActor();
  const { trialId, participantId } = await params;
  const answer = await releasePlace(actor, trialId, participantId, Object.fromEntries(new URL(request.url).searchParams));
  nudgeFold(trialId);
  return reply(placeReleased, answer);
});

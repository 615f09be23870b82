import Link from "next/link";
import { Suspense } from "react";
import { getTranslations } from "next-intl/server";
import { trialAccess } from "@/lib/auth/access";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import type { Actor } from "@/lib/auth/session";
import { liveForecast } from "@/lib/forecast/live";
import { RateLimited } from "@/lib/http/rate-limit";
import { db } from "@/lib/db/client";
import { ForecastView } from "./ForecastView";

export const dynamic = "force-dynamic";

/** The simulation, streamed in after the page's frame: the reader sees where they are while it runs. */
async function LiveForecast({ actor, trialId, scenario }: { actor: Actor; trialId: string; scenario: string | undefined }) {
  const live = await loadOrNotFound(() => liveForecast(actor, trialId)).catch((error: unknown) => {
    if (error instanceof RateLimited) return null; // said on the page, not a crash
    throw error;
  });
  const t = await getTranslations("forecast");
  return live ? (
    <ForecastView
      monthZero={live.monthZero}
      asOf={live.asOf}
      initialInput={live.input}
      initialResult={live.result}
      cohortNames={live.cohortNames}
      scenario={scenario}
    />
  ) : (
    <p className="error" role="alert">
      {t("rateLimited")}
    </p>
  );
}

export default async function ForecastPage({
  params,
  searchParams,
}: {
  params: Promise<{ trialId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { trialId } = await params;
  const { scenario } = await searchParams;
  const actor = await requirePageActor();
  const [t, trial] = await Promise.all([
    getTranslations("forecast"),
    // Not found, as everywhere, for a trial the reader may not see (checked before anything is simulated).
    loadOrNotFound(async () => {
      await trialAccess(actor, trialId);
      return db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true, title: true } });
    }),
  ]);
  return (
    <>
      <p>
        <Link href={`/trials/${trialId}`}>← {trial.code}</Link>
      </p>
      <h1>
        {t("title")}: {trial.code}
      </h1>
      <p className="muted">{t("intro")}</p>
      <Suspense
        fallback={
          <p role="status" data-testid="forecast-pending">
            <progress /> {t("simulating")}
          </p>
        }
      >
        <LiveForecast actor={actor} trialId={trialId} scenario={typeof scenario === "string" ? scenario : undefined} />
      </Suspense>
    </>
  );
}

import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { loadOrNotFound, requirePageActor } from "@/lib/auth/page";
import { liveForecast } from "@/lib/forecast/live";
import { RateLimited } from "@/lib/http/rate-limit";
import { db } from "@/lib/db/client";
import { ForecastView } from "./ForecastView";

export const dynamic = "force-dynamic";

export default async function ForecastPage({ params }: { params: Promise<{ trialId: string }> }) {
  const { trialId } = await params;
  const actor = await requirePageActor();
  const live = await loadOrNotFound(() => liveForecast(actor, trialId)).catch((error: unknown) => {
    if (error instanceof RateLimited) return null; // said on the page, not a crash
    throw error;
  });
  const [t, trial] = await Promise.all([
    getTranslations("forecast"),
    db().trial.findUniqueOrThrow({ where: { id: trialId }, select: { code: true, title: true } }),
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
      {live ? (
        <ForecastView monthZero={live.monthZero} asOf={live.asOf} initialInput={live.input} initialResult={live.result} cohortNames={live.cohortNames} />
      ) : (
        <p className="error" role="alert">
          {t("rateLimited")}
        </p>
      )}
    </>
  );
}

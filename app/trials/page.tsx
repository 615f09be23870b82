import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { requirePageActor } from "@/lib/auth/page";
import { listTrials } from "@/lib/trials/queries";
import { Progress } from "../components/Progress";

export const dynamic = "force-dynamic";

export default async function TrialsPage() {
  const actor = await requirePageActor();
  const [trials, t] = await Promise.all([listTrials(actor), getTranslations()]);
  return (
    <>
      <h1>{t("trials.title")}</h1>
      {trials.length === 0 && <p className="notice">{t("trials.empty")}</p>}
      {trials.map((trial) => (
        <section key={trial.id} className="card" aria-labelledby={`trial-${trial.id}`}>
          <h2 id={`trial-${trial.id}`}>
            <Link href={`/trials/${trial.id}`} translate="no">
              {trial.code}
            </Link>{" "}
            <span className="badge" translate="no">
              {trial.phase}
            </span>
          </h2>
          <p translate="no">{trial.title}</p>
          <Progress
            value={trial.enrolled}
            max={trial.target}
            label={t("trials.progressLabel", { code: trial.code, enrolled: trial.enrolled, target: trial.target })}
          />
          <p>
            <strong>{t("trials.enrolledOfTarget", { enrolled: trial.enrolled, target: trial.target })}</strong>{" "}
            <span className="muted">({t("trials.percent", { value: trial.target ? trial.enrolled / trial.target : 0 })})</span>
          </p>
          <table>
            <caption className="muted" style={{ textAlign: "left" }}>
              {t("trials.summaryCaption", { code: trial.code })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t("trials.country")}</th>
                <th scope="col" className="num">
                  {t("trials.screened")}
                </th>
                <th scope="col" className="num">
                  {t("trials.enrolled")}
                </th>
              </tr>
            </thead>
            <tbody>
              {(["US", "CN"] as const).map((country) => (
                <tr key={country} data-country={country}>
                  <th scope="row" className={`country-${country}`}>
                    {t(`country.${country}`)}
                  </th>
                  <td className="num">{trial.byCountry[country].screened}</td>
                  <td className="num">{trial.byCountry[country].enrolled}</td>
                </tr>
              ))}
              <tr data-country="ALL">
                <th scope="row">{t("trials.overall")}</th>
                <td className="num">{trial.screened}</td>
                <td className="num">{trial.enrolled}</td>
              </tr>
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}

import { getFormatter, getTranslations } from "next-intl/server";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { requireAdminPage } from "@/lib/auth/page";
import { db } from "@/lib/db/client";
import { identityDocument } from "@/lib/federation/admin";
import { exportSettings } from "@/lib/federation/export";
import { thisNode } from "@/lib/federation/node";
import { peerState } from "@/lib/federation/status";
import { pairPeerAction, setExportPausedAction, setExportPolicyAction } from "../actions";

export const dynamic = "force-dynamic";

/** This node's side of a partnership: its identity, the peer's state, pairing, the export switch and the egress log. */
export default async function AdminFederationPage() {
  await requireAdminPage("/admin/federation");
  const [t, tc, ts, format] = await Promise.all([
    getTranslations("admin.federation"),
    getTranslations("country"),
    getTranslations("peerState"),
    getFormatter(),
  ]);
  const node = thisNode();
  if (!node)
    return (
      <>
        <h1>{t("title")}</h1>
        <p className="notice">{t("single")}</p>
      </>
    );
  const [identity, peer, settings, sent] = await Promise.all([
    identityDocument(),
    db().federationPeer.findFirst(),
    exportSettings(db()),
    db().federationOutbox.count(),
  ]);
  const when = (d: Date | null) => (d ? format.dateTime(d, { dateStyle: "medium", timeStyle: "medium" }) : "—");
  return (
    <>
      <h1>{t("title")}</h1>
      <h2>{t("identityTitle")}</h2>
      <p>
        <strong translate="no">{node.origin}</strong> · {tc(node.country)}
      </p>
      <p className="muted">{t("identityHelp")}</p>
      <pre data-testid="node-identity" translate="no">
        {JSON.stringify(identity, null, 2)}
      </pre>

      <h2>{t("peerTitle")}</h2>
      {peer ? (
        <dl className="facts" data-testid="peer">
          <dt>{t("peerTitle")}</dt>
          <dd translate="no">
            {peer.origin} · {tc(peer.country)}
          </dd>
          <dt>{t("state")}</dt>
          <dd data-testid="peer-state">{ts(peerState(peer))}</dd>
          <dt>{t("asOf")}</dt>
          <dd>{when(peer.lastAsOf)}</dd>
          <dt>{t("appliedSeq")}</dt>
          <dd>{peer.appliedSeq}</dd>
          <dt>{t("ackedSeq")}</dt>
          <dd>{peer.ackedSeq}</dd>
          {peer.rejection && (
            <>
              <dt>{t("rejection")}</dt>
              <dd>
                {when(peer.rejectedAt)}: <span translate="no">{peer.rejection}</span>
              </dd>
            </>
          )}
        </dl>
      ) : (
        <p>{t("noPeer")}</p>
      )}
      <ActionForm action={pairPeerAction} submit={t("pair")} title={t("pairTitle")}>
        <Field name="identity" type="textarea" rows={6} label={t("pairIdentity")} required />
        <Field name="url" label={t("pairUrl")} />
        <Field name="connect" type="checkbox" label={t("pairConnect")} defaultChecked={node.country === "CN"} />
      </ActionForm>

      <h2>{t("exportTitle")}</h2>
      <p className={settings.paused ? "notice warning" : "notice"} data-testid="export-state">
        {settings.paused ? t("pausedNow", { reason: settings.pauseReason ?? "" }) : t("exporting")}
      </p>
      <ActionForm action={setExportPausedAction.bind(null, !settings.paused)} submit={settings.paused ? t("resume") : t("pause")}>
        <Field name="reason" label={t("reason")} required />
      </ActionForm>
      <ActionForm action={setExportPolicyAction} submit={t("policy")} title={t("policy")}>
        <Field
          name="policy"
          type="select"
          label={t("policy")}
          required
          defaultValue={settings.policy}
          options={(["exact", "suppress", "round"] as const).map((p) => ({ value: p, label: t(`policy_${p}`, { k: settings.minCell }) }))}
        />
        <Field name="minCell" type="number" label="k" defaultValue={String(settings.minCell)} required />
        <Field name="shareYield" type="checkbox" label={t("yieldShared")} defaultChecked={settings.shareYield} />
        <Field name="reason" label={t("reason")} required />
      </ActionForm>

      <h2>{t("egressTitle")}</h2>
      <p>{t("egressHelp", { count: sent })}</p>
      <p>
        <a href="/api/v1/federation/egress" download>
          {t("downloadEgress")}
        </a>
      </p>
    </>
  );
}

// What a notification says and where it leads, as a catalogue key and its parameters: the notification centre
// renders it in the reader's language, the email digest in the recipient's (lib/alerts/digest.ts).
export interface NotificationShape {
  trialId: string;
  occasion: string;
  params: unknown;
  trial: { code: string };
  rule: { kind: string } | null;
}

export function notificationMessage(n: NotificationShape): { key: string; params: Record<string, string | number> } {
  const p = (n.params ?? {}) as Record<string, string | number>;
  const trial = n.trial.code;
  switch (n.rule?.kind) {
    case "COHORT_PERCENT":
      return {
        key: "notifications.cohortPercent",
        params: { trial, cohort: String(p.cohort), percent: Number(p.percent), enrolled: Number(p.enrolled), target: Number(p.target) },
      };
    case "SITE_FIRST_SCREENED":
      return { key: "notifications.firstScreened", params: { trial, site: String(p.site) } };
    case "SITE_FIRST_ENROLLED":
      return { key: "notifications.firstEnrolled", params: { trial, site: String(p.site) } };
    case "SITE_SILENT":
      return { key: "notifications.siteSilent", params: { trial, site: String(p.site), days: Number(p.days), since: String(p.since) } };
    case "SITE_BEHIND_PLAN":
      return { key: "notifications.behindPlan", params: { trial, site: String(p.site), chance: Number(p.chance), screened: Number(p.screened) } };
    case "PEER_STALE":
      return {
        key: p.state === "paused" ? "notifications.peerPaused" : p.state === "rejected" ? "notifications.peerRejected" : "notifications.peerStale",
        params: { trial, origin: String(p.origin), country: String(p.country), since: String(p.since).slice(0, 16).replace("T", " ") },
      };
    default:
      return { key: "notifications.webhookDisabled", params: { trial, url: String(p.url), failures: Number(p.failures) } };
  }
}

/** The view that explains the notification. */
export function notificationLink(n: NotificationShape): string {
  switch (n.rule?.kind) {
    case "COHORT_PERCENT":
    case "PEER_STALE":
      return `/trials/${n.trialId}`;
    case undefined:
      return `/trials/${n.trialId}/webhooks`;
    default:
      return `/trials/${n.trialId}/performance`;
  }
}

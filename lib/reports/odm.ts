// The participant listing as CDISC ODM 1.3.2 (the exchange format of EDC systems): one Study, the sites in scope as
// AdminData Locations, and ClinicalData with a SubjectData per participant keyed by the pseudonymous screening
// number, at its site by SiteRef. ODM has no element for where a subject stands on the way to enrolment, so, as EDC
// vendors do, TrialBridge adds one in its own namespace (tb:SubjectStatus: state, the months of screening and of the
// state, the screen-failure reason, cohort and detected subtypes), declared by public/odm/trialbridge-odm-1.xsd and
// allowed inside SubjectData by public/odm/ODM1-3-2-trialbridge.xsd, which redefines CDISC's foundation schema.
// It is the listing in another shape: the same who-may-have, the same de-identification (months, never dates; no
// age or sex), the same cross-border rule (a Chinese site's subject carries neither subtypes nor cohort for a
// caller the rule excludes, as in FHIR), read in the same keyset batches.
import "server-only";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import pkg from "@/package.json";
import { auditListingDownload, batchStream, listingBatches, planListing, withholdsGenetics, type ListingPlan, type ListingRow } from "./listing";

export const ODM_NAMESPACE = "http://www.cdisc.org/ns/odm/v1.3";
export const TB_NAMESPACE = "urn:trialbridge:odm:1";
/** The schema locations a validator is pointed to (the extension schema includes CDISC's foundation schema). */
export const ODM_SCHEMA_LOCATION = `${ODM_NAMESPACE} ODM1-3-2-trialbridge.xsd`;

/** tb:SubjectStatus's State for each step of the path (the ODM counterpart of FHIR's SUBJECT_STATUS). */
export const ODM_STATE = {
  SCREENED: "Screening",
  ELIGIBLE: "Eligible",
  CONSENTED: "Consented",
  SCREEN_FAILED: "ScreenFailed",
  ENROLLED: "Enrolled",
  WITHDRAWN: "Withdrawn",
  COMPLETED: "Completed",
} as const;

const MDV = "MDV.1";

/** Whether a character may appear in an XML 1.0 document (tab, newline and carriage return among the controls). */
const xmlChar = (c: string) => {
  const code = c.codePointAt(0)!;
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && !(code >= 0xd800 && code <= 0xdfff) && code !== 0xfffe && code !== 0xffff);
};

/** Text as an XML attribute value (and element content): the five reserved characters, and no control characters. */
export function xmlText(value: string): string {
  return [...value].filter(xmlChar).join("").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const attributes = (pairs: Record<string, string | null | undefined>) =>
  Object.entries(pairs)
    .filter((pair): pair is [string, string] => pair[1] != null && pair[1] !== "")
    .map(([name, value]) => ` ${name}="${xmlText(value)}"`)
    .join("");

/** A site's OID: its code, which is unique and stable. */
const siteOid = (code: string) => `SITE.${code}`;

interface OdmHead {
  trial: { code: string; title: string; phase: string; sponsorName: string };
  sites: { code: string; name: string }[];
  createdAt: Date;
}

function head({ trial, sites, createdAt }: OdmHead): string {
  const created = createdAt.toISOString();
  const effective = created.slice(0, 10);
  const locations = sites
    .map(
      (s) =>
        `    <Location${attributes({ OID: siteOid(s.code), Name: s.name, LocationType: "Site" })}>\n` +
        `      <MetaDataVersionRef${attributes({ StudyOID: trial.code, MetaDataVersionOID: MDV, EffectiveDate: effective })}/>\n` +
        `    </Location>\n`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<ODM xmlns="${ODM_NAMESPACE}" xmlns:tb="${TB_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
    ` xsi:schemaLocation="${ODM_SCHEMA_LOCATION}"` +
    attributes({
      FileType: "Snapshot",
      FileOID: `${trial.code}.participants.${created.replace(/[-:.]/g, "")}`,
      CreationDateTime: created,
      AsOfDateTime: created,
      ODMVersion: "1.3.2",
      Originator: "TrialBridge",
      SourceSystem: "TrialBridge",
      SourceSystemVersion: pkg.version,
      Description: `${trial.code}: screening and enrolment, de-identified`,
    }) +
    `>\n` +
    `  <Study${attributes({ OID: trial.code })}>\n` +
    `    <GlobalVariables>\n` +
    `      <StudyName>${xmlText(trial.code)}</StudyName>\n` +
    `      <StudyDescription>${xmlText(`${trial.title} (${trial.phase}; ${trial.sponsorName})`)}</StudyDescription>\n` +
    `      <ProtocolName>${xmlText(trial.code)}</ProtocolName>\n` +
    `    </GlobalVariables>\n` +
    `    <MetaDataVersion${attributes({ OID: MDV, Name: "TrialBridge screening log" })}/>\n` +
    `  </Study>\n` +
    (locations ? `  <AdminData${attributes({ StudyOID: trial.code })}>\n${locations}  </AdminData>\n` : "") +
    `  <ClinicalData${attributes({ StudyOID: trial.code, MetaDataVersionOID: MDV })}>\n`
  );
}

const TAIL = `  </ClinicalData>\n</ODM>\n`;

/** One participant's SubjectData: its site, and where it stands (genetic detail withheld where the plan says). */
export function subjectData(plan: ListingPlan, row: ListingRow): string {
  const withhold = withholdsGenetics(plan, row);
  const status = attributes({
    State: ODM_STATE[row.status as keyof typeof ODM_STATE] ?? row.status,
    ScreeningMonth: row.month,
    StateMonth: row.statusMonth,
    ScreenFailReason: row.status === "SCREEN_FAILED" ? row.reason : null,
    Cohort: withhold ? null : row.cohort,
    Subtypes: withhold ? null : row.subtypes,
    GeneticsWithheld: withhold ? "Yes" : null,
  });
  return (
    `    <SubjectData${attributes({ SubjectKey: row.screeningNumber })}>\n` +
    `      <SiteRef${attributes({ LocationOID: siteOid(row.siteCode) })}/>\n` +
    `      <tb:SubjectStatus${status}/>\n` +
    `    </SubjectData>\n`
  );
}

/** The listing as an ODM file, streamed: checks access as the listing does and audits the download. */
export async function participantOdm(actor: Actor, trialId: string) {
  const plan = await planListing(actor, trialId);
  const trial = await db().trial.findUniqueOrThrow({
    where: { id: trialId },
    select: {
      code: true,
      title: true,
      phase: true,
      sponsorName: true,
      trialSites: { select: { site: { select: { id: true, code: true, nameEn: true } } }, orderBy: { site: { code: "asc" } } },
    },
  });
  const sites = trial.trialSites
    .map((ts) => ts.site)
    .filter((s) => plan.siteIds === "all" || plan.siteIds.includes(s.id))
    .map((s) => ({ code: s.code, name: s.nameEn }));
  await auditListingDownload(actor, trialId, plan, "odm");
  const stream = batchStream(
    listingBatches(trialId, plan),
    head({ trial, sites, createdAt: new Date() }),
    (rows) => rows.map((r) => subjectData(plan, r)).join(""),
    TAIL,
  );
  return { plan, stream };
}

// The participant listing as CDISC ODM 1.3.2 (lib/reports/odm.ts). Each file is parsed by libxml2 (xmllint, WASM),
// and every tb:SubjectStatus is validated by it against the extension's published schema
// (public/odm/trialbridge-odm-1.xsd); the ODM elements are checked against ODM 1.3.2's content model (order and
// required attributes) here, since CDISC's schema set cannot be fetched on these machines (docs/decisions/028).
import fs from "node:fs";
import { validateXML } from "xmllint-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { ODM_NAMESPACE, participantOdm, subjectData, TB_NAMESPACE, xmlText } from "@/lib/reports/odm";
import type { ListingPlan, ListingRow } from "@/lib/reports/listing";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

const EXTENSION_XSD = fs.readFileSync("public/odm/trialbridge-odm-1.xsd", "utf8");
const REDEFINE_XSD = fs.readFileSync("public/odm/ODM1-3-2-trialbridge.xsd", "utf8");
/**
 * A stand-in for CDISC's foundation schema, reduced to what the redefinition touches: SubjectData ending in the
 * empty SubjectDataElementExtension group that ODM leaves for vendors. Enough to prove that the redefinition
 * compiles and admits tb:SubjectStatus there (and nothing else); not a check of the rest of ODM.
 */
const FOUNDATION_STAND_IN = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="${ODM_NAMESPACE}" targetNamespace="${ODM_NAMESPACE}"
    elementFormDefault="qualified" attributeFormDefault="unqualified">
  <xs:group name="SubjectDataElementExtension"><xs:sequence/></xs:group>
  <xs:element name="SiteRef"><xs:complexType><xs:attribute name="LocationOID" type="xs:string" use="required"/></xs:complexType></xs:element>
  <xs:element name="SubjectData">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="SiteRef" minOccurs="0"/>
        <xs:group ref="SubjectDataElementExtension" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="SubjectKey" type="xs:string" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>`;
let trialId: string;
let investigator: Actor;

beforeAll(async () => {
  await seedDemoData();
  trialId = (await db().trial.findFirstOrThrow({ where: { code: "TB-201" } })).id;
  investigator = await actorFor(DEMO_ACCOUNTS.investigator);
});

/** Attributes of each element named `name` in `xml`, in document order. */
function elements(xml: string, name: string): Record<string, string>[] {
  return [...xml.matchAll(new RegExp(`<${name}((?:\\s+[\\w:]+="[^"]*")*)\\s*/?>`, "g"))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w:]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])),
  );
}

/** Parses `xml` with libxml2 (well-formed, or the errors) and validates its tb:SubjectStatus elements. */
async function check(xml: string) {
  const parsed = await validateXML({ xml: { fileName: "file.odm.xml", contents: xml }, normalization: "format", maxMemoryPages: 4096 });
  expect(parsed.errors).toEqual([]);
  const statuses = [...xml.matchAll(/<tb:SubjectStatus[^>]*\/>/g)].map((m, i) => ({
    fileName: `status-${i}.xml`,
    contents: m[0].replace("<tb:SubjectStatus", `<tb:SubjectStatus xmlns:tb="${TB_NAMESPACE}"`),
  }));
  const valid = await validateXML({ xml: statuses, schema: { fileName: "trialbridge-odm-1.xsd", contents: EXTENSION_XSD } });
  expect(valid.errors.slice(0, 3)).toEqual([]);
  return statuses.length;
}

async function odm(actor: Actor) {
  const { stream } = await participantOdm(actor, trialId);
  return new Response(stream).text();
}

describe("the participant listing as CDISC ODM 1.3.2", () => {
  it("is one Study, its sites as Locations and a SubjectData per participant at its site, in ODM's order", async () => {
    const xml = await odm(investigator);
    const participants = await db().participant.count({ where: { trialId, voidedAt: null } });
    expect(await check(xml)).toBe(participants);

    const [root] = elements(xml, "ODM");
    expect(root).toMatchObject({ xmlns: ODM_NAMESPACE, "xmlns:tb": TB_NAMESPACE, ODMVersion: "1.3.2", FileType: "Snapshot" });
    for (const required of ["FileOID", "CreationDateTime"]) expect(root![required]).toBeTruthy();
    // ODM: Study, AdminData, ClinicalData in that order; Study: GlobalVariables (StudyName, StudyDescription,
    // ProtocolName), then MetaDataVersion; Location: at least one MetaDataVersionRef.
    const order = (names: string[], within: string) => names.map((n) => within.indexOf(`<${n}`));
    const positions = order(["Study", "GlobalVariables", "StudyName", "StudyDescription", "ProtocolName", "MetaDataVersion", "AdminData", "ClinicalData"], xml);
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const locations = elements(xml, "Location");
    expect(locations.length).toBeGreaterThan(0);
    expect(elements(xml, "MetaDataVersionRef")).toHaveLength(locations.length);
    expect(elements(xml, "MetaDataVersionRef").every((r) => r.StudyOID === "TB-201" && /^\d{4}-\d{2}-\d{2}$/.test(r.EffectiveDate!))).toBe(true);

    // SubjectData: SiteRef before the extension, keyed by the screening number; every SiteRef names a Location.
    const subjects = [...xml.matchAll(/<SubjectData SubjectKey="([^"]+)">\s*<SiteRef LocationOID="([^"]+)"\/>\s*<tb:SubjectStatus[^>]*\/>\s*<\/SubjectData>/g)];
    expect(subjects).toHaveLength(participants);
    const oids = new Set(locations.map((l) => l.OID));
    expect(subjects.every((s) => oids.has(s[2]!))).toBe(true);
    const numbers = new Set(
      (await db().participant.findMany({ where: { trialId, voidedAt: null }, select: { screeningNumber: true } })).map((p) => p.screeningNumber),
    );
    expect(subjects.every((s) => numbers.has(s[1]!))).toBe(true);

    // De-identified: months only, no age or sex; each screen failure gives its reason.
    const clinical = xml.slice(xml.indexOf("<ClinicalData"));
    expect(clinical).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(clinical).not.toMatch(/Age|Sex|Birth/i);
    const statuses = elements(xml, "tb:SubjectStatus");
    expect(new Set(statuses.map((s) => s.State))).toEqual(
      new Set(["Screening", "Eligible", "Consented", "ScreenFailed", "Enrolled", "Withdrawn", "Completed"]),
    );
    expect(statuses.filter((s) => s.State === "ScreenFailed").every((s) => s.ScreenFailReason)).toBe(true);
    expect(statuses.filter((s) => s.State !== "ScreenFailed").every((s) => !s.ScreenFailReason)).toBe(true);
    expect(statuses.every((s) => s.StateMonth && s.StateMonth >= s.ScreeningMonth!)).toBe(true);
    expect(statuses.filter((s) => s.State === "Enrolled").every((s) => s.Cohort || s.GeneticsWithheld)).toBe(true);
  });

  it("withholds a Chinese site's subtypes and cohort from a recipient outside China, unless the trial has a cross-border approval", async () => {
    const cnSites = new Set((await db().site.findMany({ where: { country: "CN" }, select: { code: true } })).map((s) => `SITE.${s.code}`));
    const byCountry = (xml: string) => {
      const subjects = [...xml.matchAll(/<SiteRef LocationOID="([^"]+)"\/>\s*(<tb:SubjectStatus[^>]*\/>)/g)].map((m) => ({
        cn: cnSites.has(m[1]!),
        status: elements(m[2]!, "tb:SubjectStatus")[0]!,
      }));
      return { cn: subjects.filter((s) => s.cn).map((s) => s.status), us: subjects.filter((s) => !s.cn).map((s) => s.status) };
    };
    const outside = byCountry(await odm(investigator));
    expect(outside.cn.length).toBeGreaterThan(0);
    expect(outside.cn.every((s) => s.GeneticsWithheld === "Yes" && !s.Subtypes && !s.Cohort)).toBe(true);
    expect(outside.us.some((s) => s.Subtypes?.includes("EGFR"))).toBe(true);
    expect(outside.us.every((s) => !s.GeneticsWithheld)).toBe(true);

    await db().trial.update({ where: { id: trialId }, data: { crossBorderApprovalRef: "HGRAC-2026-0042" } });
    try {
      const approved = byCountry(await odm(investigator));
      expect(approved.cn.some((s) => s.Subtypes?.includes("EGFR"))).toBe(true);
      expect(approved.cn.every((s) => !s.GeneticsWithheld)).toBe(true);
    } finally {
      await db().trial.update({ where: { id: trialId }, data: { crossBorderApprovalRef: null } });
    }
  });

  it("goes only to whom the listing goes, and each download is audited as ODM", async () => {
    await expect(participantOdm(await actorFor(DEMO_ACCOUNTS.sponsor), trialId)).rejects.toMatchObject({ code: "forbidden" });
    await expect(participantOdm(await actorFor(DEMO_ACCOUNTS.coordinatorCn), trialId)).rejects.toMatchObject({ code: "forbidden" });
    const before = await db().auditEvent.count({ where: { action: "report.download", actorId: investigator.id } });
    await odm(investigator);
    const last = await db().auditEvent.findFirstOrThrow({ where: { action: "report.download", actorId: investigator.id }, orderBy: { at: "desc" } });
    expect(await db().auditEvent.count({ where: { action: "report.download", actorId: investigator.id } })).toBe(before + 1);
    expect(last.after).toMatchObject({ report: "participants", format: "odm", withheld: true });
  });

  it("escapes what a site typed: markup characters and control characters never break the file", async () => {
    expect(xmlText(`a&b<c>"d"'e'\u0000\u0007f\u{1F600}`)).toBe("a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;f\u{1F600}");
    const plan: ListingPlan = { trialCode: "TB-201", siteIds: "all", withholdChineseGenetics: false };
    const row: ListingRow = {
      id: "p1",
      screeningNumber: `US-1 "<&>`,
      siteCode: "US-A&B",
      country: "US",
      ageAtScreening: 60,
      sex: "FEMALE",
      month: "2026-03",
      status: "SCREEN_FAILED",
      reason: "OTHER\u0001<b>",
      cohort: null,
      subtypes: "EGFR_EX19DEL;KRAS_G12C",
      statusMonth: "2026-04",
    };
    const one = subjectData(plan, row);
    await check(`<ClinicalData xmlns="${ODM_NAMESPACE}" xmlns:tb="${TB_NAMESPACE}">\n${one}</ClinicalData>`);
    // The redefinition of ODM's extension group admits the subject's tb:SubjectStatus, and only it.
    const redefined = (subject: string) =>
      validateXML({
        xml: { fileName: "subject.xml", contents: subject.replace("<SubjectData", `<SubjectData xmlns="${ODM_NAMESPACE}" xmlns:tb="${TB_NAMESPACE}"`) },
        schema: { fileName: "ODM1-3-2-trialbridge.xsd", contents: REDEFINE_XSD },
        preload: [
          { fileName: "ODM1-3-2-foundation.xsd", contents: FOUNDATION_STAND_IN },
          { fileName: "trialbridge-odm-1.xsd", contents: EXTENSION_XSD },
        ],
      });
    expect((await redefined(one)).errors).toEqual([]);
    expect((await redefined(one.replace("tb:SubjectStatus", "tb:Other"))).valid).toBe(false);
    expect(elements(one, "tb:SubjectStatus")[0]).toEqual({
      State: "ScreenFailed",
      ScreeningMonth: "2026-03",
      StateMonth: "2026-04",
      ScreenFailReason: "OTHER&lt;b&gt;",
      Subtypes: "EGFR_EX19DEL;KRAS_G12C",
    });
  });
});

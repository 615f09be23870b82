import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/session";
import { db } from "@/lib/db/client";
import { registerParticipant } from "@/lib/participants/register";
import { addDays, todayIn } from "@/lib/dates/calendar";
import { addSubtype, resolveSubtype } from "@/lib/subtypes/admin";
import { DEMO_ACCOUNTS } from "../../prisma/seed";
import { actorFor, seedDemoData } from "../support/demo";

let admin: Actor;
let coordinator: Actor;
beforeAll(async () => {
  await seedDemoData();
  admin = await actorFor(DEMO_ACCOUNTS.admin);
  coordinator = await actorFor(DEMO_ACCOUNTS.coordinatorUs);
});

describe("extending the subtype vocabulary", () => {
  it("lets an admin add a subtype that registration then understands by its synonyms", async () => {
    const added = await addSubtype(admin, { key: "KRAS:G12D", category: "MUTATION", label: "KRAS G12D", synonyms: ["p.Gly12Asp", "G12D"] });
    expect(added).toMatchObject({ key: "KRAS:G12D", gene: "KRAS", alteration: "G12D" });
    expect(await db().auditEvent.count({ where: { action: "subtype.create", actorId: admin.id } })).toBe(1);
    const trial = await db().trial.findFirstOrThrow({ where: { code: "TB-201" } });
    const site = await db().site.findUniqueOrThrow({ where: { code: "US-BOS1" } });
    const { body } = await registerParticipant(coordinator, trial.id, {
      siteId: site.id,
      screeningDate: addDays(todayIn(site.timeZone), -1),
      ageAtScreening: 70,
      sex: "male",
      results: [{ subtype: "p.Gly12Asp", result: "detected", method: "PCR" }],
    });
    expect(body.results).toEqual([{ subtype: "KRAS:G12D", result: "detected", method: "PCR" }]);
  });

  it("refuses non-admins, duplicate keys, names that already mean another subtype, and malformed keys", async () => {
    await expect(addSubtype(coordinator, { key: "KRAS:G13D", category: "MUTATION", label: "KRAS G13D" })).rejects.toMatchObject({ code: "forbidden" });
    await expect(addSubtype(admin, { key: "EGFR:L858R", category: "MUTATION", label: "dup" })).rejects.toMatchObject({ code: "conflict" });
    await expect(addSubtype(admin, { key: "EGFR:G719X", category: "MUTATION", label: "EGFR G719X", synonyms: ["L858R"] })).rejects.toMatchObject({
      code: "conflict",
      fields: { synonyms: ['"L858R" already means EGFR:L858R'] },
    });
    await expect(addSubtype(admin, { key: "kras g13d", category: "MUTATION", label: "x" })).rejects.toMatchObject({ code: "invalid" });
  });

  // Fails without the vocabulary lock in addSubtype: the second insert hits the unique index (a 500), or two subtypes
  // end up answering to one name.
  it("two administrators adding the same subtype at once: one is added, the other is told it exists (409)", async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 4 }, () => addSubtype(admin, { key: "BRAF:G469A", category: "MUTATION", label: "BRAF G469A", synonyms: ["p.Gly469Ala"] })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: "conflict" });
    const names = await Promise.allSettled([
      addSubtype(admin, { key: "NRG1:fusion", category: "STRUCTURAL_VARIATION", label: "NRG1 fusion", synonyms: ["CD74-NRG1 fusion"] }),
      addSubtype(admin, { key: "NRG1:cd74", category: "STRUCTURAL_VARIATION", label: "CD74-NRG1", synonyms: ["CD74-NRG1 fusion"] }),
    ]);
    expect(names.filter((o) => o.status === "fulfilled")).toHaveLength(1);
  });

  it("resolve report wording for integrations: a key and label, or a refusal with suggestions", async () => {
    await expect(resolveSubtype({ text: "HER2 20外显子插入突变" })).resolves.toMatchObject({ key: "ERBB2:ex20ins" });
    await expect(resolveSubtype({ text: "KRAS c.34G>T (p.Gly12Cys)" })).resolves.toMatchObject({ key: "KRAS:G12C" });
    await expect(resolveSubtype({ text: "EGFR L861Q mutation" })).rejects.toMatchObject({
      code: "invalid",
      fields: { suggestions: expect.arrayContaining(["EGFR:L858R"]) },
    });
    await expect(resolveSubtype({ text: "" })).rejects.toMatchObject({ code: "invalid" });
  });
});

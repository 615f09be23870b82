"use client";
import { useTranslations } from "next-intl";
import { ActionForm, Field } from "@/app/components/ActionForm";
import { addSubtypeAction } from "./actions";

const CATEGORIES = ["MUTATION", "STRUCTURAL_VARIATION", "COPY_NUMBER_VARIATION"] as const;

export function AddSubtypeForm() {
  const t = useTranslations("admin");
  return (
    <ActionForm action={addSubtypeAction} submit={t("add")} title={t("add")}>
      <Field name="key" label={t("key")} help={<code translate="no">KRAS:G12D</code>} required />
      <Field name="label" label={t("label")} required />
      <Field name="category" type="select" label={t("category")} options={CATEGORIES.map((c) => ({ value: c, label: t(`categories.${c}`) }))} />
      <Field name="synonyms" type="textarea" rows={4} label={`${t("synonyms")} (${t("synonymsHelp")})`} />
    </ActionForm>
  );
}

import { redirect } from "next/navigation";
import { requireAdminPage } from "@/lib/auth/page";

export const dynamic = "force-dynamic";

export default async function AdminPage() {
  await requireAdminPage("/admin");
  redirect("/admin/trials");
}

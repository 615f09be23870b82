// Guards for server-rendered pages: the same checks as the API, expressed as Next.js navigation.
import "server-only";
import { notFound, redirect } from "next/navigation";
import { AppError } from "@/lib/http/errors";
import { getActor, type Actor } from "./session";

export async function requirePageActor(): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  return actor;
}

/** Runs a scoped read for a page; "not found" (absent or not theirs) renders the 404 page. */
export async function loadOrNotFound<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof AppError && error.code === "not_found") notFound();
    throw error;
  }
}

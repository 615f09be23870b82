import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions } from "@/lib/auth/options";
import { checkCredentialsRequest } from "@/lib/auth/signin-guard";
import { errorResponse } from "@/lib/http/api";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built on first request (never at import time, so `next build` needs no secret).
function handle(request: Request, context: Context) {
  return NextAuth(request as never, context as never, authOptions());
}

export const GET = handle;

export async function POST(request: Request, context: Context) {
  const { nextauth } = await context.params;
  if (nextauth.join("/") !== "callback/credentials") return handle(request, context);
  try {
    const checked = await checkCredentialsRequest(request);
    return await handle(new NextRequest(checked), { params: Promise.resolve({ nextauth }) });
  } catch (error) {
    return errorResponse(error);
  }
}

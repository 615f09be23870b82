import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { authOptions, TOTP_REQUIRED } from "@/lib/auth/options";
import { checkCredentialsRequest } from "@/lib/auth/signin-guard";
import { claimSignInAttempt, clientAddress, recordSignIn } from "@/lib/auth/throttle";
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
    const email = new URLSearchParams(await checked.clone().text()).get("email") ?? "";
    const address = clientAddress(request.headers);
    await claimSignInAttempt(email, address);
    const response = await handle(new NextRequest(checked), { params: Promise.resolve({ nextauth }) });
    const outcome = `${response.headers.get("location") ?? ""} ${response.status === 401 ? await response.clone().text() : ""}`;
    // The password was right and the authenticator's code is still to come: neither a success nor a failure yet.
    if (outcome.includes(`error=${TOTP_REQUIRED}`)) return response;
    const failed = response.status === 401 || outcome.includes("error=");
    await recordSignIn(email, address, !failed);
    return response;
  } catch (error) {
    return errorResponse(error);
  }
}

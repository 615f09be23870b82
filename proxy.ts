// Runs before every request:
//   - security headers on every response: a nonce-based Content-Security-Policy (a fresh nonce per request; Next
//     puts it on its own scripts), frame-ancestors 'none', nosniff, a Referrer-Policy, and HSTS over HTTPS;
//   - state changes (POST, PUT, PATCH, DELETE) from another site, or with `Origin: null`, are refused (403);
//   - signed-out visitors of app pages are sent to /login. A convenience only: every page, route handler and server
//     action checks access itself through lib/auth (never trust the proxy alone: CVE-2025-29927).
import { getToken } from "next-auth/jwt";
import { NextResponse, type NextRequest } from "next/server";

const PROTECTED = /^\/(trials|admin|account|audit|notifications)(\/|$)/;
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isHttps(request: NextRequest) {
  return request.nextUrl.protocol === "https:" || request.headers.get("x-forwarded-proto") === "https";
}

function contentSecurityPolicy(nonce: string, https: boolean) {
  const dev = process.env.NODE_ENV === "development";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Charts and React set style attributes, which a nonce cannot cover.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

function withSecurityHeaders(response: NextResponse, csp: string, https: boolean) {
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  response.headers.set("X-Frame-Options", "DENY");
  response.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  if (https) response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

function crossSite(request: NextRequest): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return false; // not a browser form or fetch (API clients, server-to-server)
  if (origin === "null") return true;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export async function proxy(request: NextRequest) {
  const https = isHttps(request);
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce, https);

  if (STATE_CHANGING.has(request.method) && crossSite(request)) {
    const refused = NextResponse.json({ error: { code: "forbidden", message: "Cross-site requests are not allowed." } }, { status: 403 });
    return withSecurityHeaders(refused, csp, https);
  }

  if (PROTECTED.test(request.nextUrl.pathname)) {
    const token = await getToken({ req: request, secret: process.env.AUTH_SECRET ?? process.env.NEXTAUTH_SECRET });
    if (!token) {
      const login = new URL("/login", request.url);
      login.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
      return withSecurityHeaders(NextResponse.redirect(login), csp, https);
    }
  }

  const headers = new Headers(request.headers);
  headers.set("x-nonce", nonce);
  headers.set("x-trialbridge-method", request.method);
  headers.set("x-trialbridge-path", request.nextUrl.pathname);
  headers.set("Content-Security-Policy", csp);
  return withSecurityHeaders(NextResponse.next({ request: { headers } }), csp, https);
}

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};

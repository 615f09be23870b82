// Redirects signed-out visitors of app pages to /login. A convenience only: every page, route handler and server
// action checks access itself through lib/auth (never trust the proxy alone: CVE-2025-29927).
import { withAuth } from "next-auth/middleware";

export default withAuth({ pages: { signIn: "/login" } });

export const config = { matcher: ["/trials/:path*", "/admin/:path*"] };

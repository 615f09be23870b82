import createNextIntlPlugin from "next-intl/plugin";

const withNextIntl = createNextIntlPlugin("./lib/i18n/request.ts");

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  typedRoutes: false,
  // pdfkit reads its font metrics from files beside it at run time; keep both report libraries out of the bundle.
  serverExternalPackages: ["pdfkit", "exceljs"],
};

export default withNextIntl(nextConfig);

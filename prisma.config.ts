import { defineConfig } from "prisma/config";

// The URL is only needed by Prisma's own CLI (`prisma migrate deploy` where the engine is available).
// The app and `npm run db:migrate` read DATABASE_URL themselves (lib/env.ts).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/trialbridge" },
});

import type { TestProject } from "vitest/node";
import { ensureTemplate, startTestServer } from "../support/test-database";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startTestServer();
  project.provide("pgServerUrl", server.url);
  project.provide("pgTemplate", await ensureTemplate(server.url));
  return () => server.stop();
}

// npm run --silent forecast -- FILE   (FILE a JSON scenario, or - for standard input)
// Prints only the JSON result on standard output; bad input prints a clear error on standard error and exits 1.
import fs from "node:fs";
import { ZodError } from "zod";
import { forecast } from "@/lib/forecast/engine";

function fail(message: string): never {
  process.stderr.write(`forecast: ${message}\n`);
  process.exit(1);
}

const file = process.argv[2];
if (!file) fail("usage: npm run --silent forecast -- FILE   (a JSON scenario, or - for standard input)");

let text: string;
try {
  text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
} catch (error) {
  fail(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
}

let input: unknown;
try {
  input = JSON.parse(text);
} catch (error) {
  fail(`${file === "-" ? "standard input" : file} is not valid JSON: ${(error as Error).message}`);
}

try {
  process.stdout.write(`${JSON.stringify(forecast(input as never), null, 2)}\n`);
} catch (error) {
  if (error instanceof ZodError) {
    // Loaded only to explain a refusal: the messages and their formatter cost more to start than the forecast.
    const [{ fieldErrors }, { renderFields }] = await Promise.all([import("@/lib/http/validation"), import("@/lib/i18n/messages")]);
    const lines = Object.entries(renderFields(fieldErrors(error)) ?? {}).map(([field, messages]) => `  ${field}: ${messages.join("; ")}`);
    fail(`the scenario is not valid:\n${lines.join("\n")}`);
  }
  throw error;
}

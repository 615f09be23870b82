// Reading and validating request bodies: size limit (413), JSON syntax (400), schema (422 with per-field messages).
import { z } from "zod";
import { isIsoDate } from "@/lib/dates/calendar";
import { msg, parseMessage } from "@/lib/i18n/messages";
import { AppError } from "./errors";

/** zod's own default text for an issue, to tell it from a message a schema set on purpose. */
function zodDefault(issue: z.core.$ZodIssue): string | undefined {
  const made = z.config().localeError?.(issue as never);
  return typeof made === "string" ? made : made?.message;
}

/** A message for a zod issue: the schema's own message if it set one, else a translatable one by issue kind. */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (parseMessage(issue.message) || issue.message !== zodDefault(issue)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return msg(issue.input === undefined ? "validation.required" : "validation.invalidType", { expected: String(issue.expected) });
    case "too_small":
      return msg("validation.tooSmall", { minimum: String(issue.minimum) });
    case "too_big":
      return msg("validation.tooBig", { maximum: String(issue.maximum) });
    case "invalid_value":
    case "invalid_format":
    case "custom":
      return msg("validation.invalidValue");
    default:
      return issue.message;
  }
}

export function fieldErrors(error: z.ZodError): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const name of issue.keys) (fields[[...issue.path, name].join(".")] ??= []).push(msg("validation.unknownField"));
      continue;
    }
    const key = issue.path.length ? issue.path.join(".") : "_";
    (fields[key] ??= []).push(issueMessage(issue));
  }
  return fields;
}

/** A calendar date, YYYY-MM-DD (lib/dates/calendar.ts). */
export const calendarDate = z.string({ error: msg("validation.dateRequired") }).refine(isIsoDate, { error: msg("validation.notDate") });

/** The reason for a change to saved data, kept in the audit trail. */
export const reasonForChange = z
  .string({ error: msg("validation.reasonRequired") })
  .trim()
  .min(1, { error: msg("validation.reasonRequired") })
  .max(500, { error: msg("validation.reasonTooLong", { max: 500 }) });

export function validationError(error: z.ZodError): AppError {
  return new AppError("invalid", msg("errors.invalid"), fieldErrors(error));
}

/** The request body, refusing (413) anything over maxBytes without reading it all. */
export async function readBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        throw new AppError("payload_too_large", `The body is larger than ${maxBytes} bytes.`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) throw new AppError("invalid_request", "Send the body as application/json.");
  const bytes = await readBytes(request, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError("invalid_request", "The body is not valid JSON.");
  }
}

export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S, maxBytes = 1_000_000): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readJson(request, maxBytes));
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

// Real receivers for tests of what the app sends out: an HTTP server answering webhook deliveries with chosen
// statuses, and an SMTP server (smtp-server) whose messages are parsed (mailparser).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface WebhookReceiver {
  url: string;
  received: { headers: Record<string, string>; body: string }[];
  close: () => Promise<void>;
}

/**
 * A webhook receiver that answers 500 to the first `failures` attempts of each message (by webhook-id), then 200, so
 * other messages arriving meanwhile (other tests' alerts on the same trial) change nothing of a message's story.
 */
export async function webhookReceiver(failures = 0): Promise<WebhookReceiver> {
  const received: WebhookReceiver["received"] = [];
  const attempts = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ headers: request.headers as Record<string, string>, body });
      const id = String(request.headers["webhook-id"] ?? "");
      attempts.set(id, (attempts.get(id) ?? 0) + 1);
      response.statusCode = attempts.get(id)! <= failures ? 500 : 200;
      response.end(response.statusCode === 200 ? "ok" : "receiver down");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface SmtpReceiver {
  port: number;
  inbox: ParsedMail[];
  close: () => Promise<void>;
}

/** An SMTP server on `port` (0: any free one), without TLS or authentication, keeping every message parsed. */
export async function smtpReceiver(port = 0): Promise<SmtpReceiver> {
  const inbox: ParsedMail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => inbox.push(parsed))
        .then(() => callback(), callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  return { port: (smtp.server.address() as AddressInfo).port, inbox, close: () => new Promise<void>((resolve) => smtp.close(() => resolve())) };
}

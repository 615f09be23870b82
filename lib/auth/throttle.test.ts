import { describe, expect, it } from "vitest";
import { clientAddress } from "./throttle";

const headers = (xff: string) => new Headers({ "x-forwarded-for": xff });

describe("the client's address behind trusted proxies", () => {
  it("is the entry the nearest trusted proxy appended, never one the client wrote", () => {
    expect(clientAddress(headers("6.6.6.6, 203.0.113.5"), 1)).toBe("203.0.113.5");
    expect(clientAddress(headers("6.6.6.6, 203.0.113.5, 10.0.0.2"), 2)).toBe("203.0.113.5");
    expect(clientAddress(headers("203.0.113.5"), 1)).toBe("203.0.113.5");
    expect(clientAddress(new Headers(), 1)).toBe("unknown");
  });
});

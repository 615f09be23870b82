// What sign-in accepts. Anything else (missing, wrong type, absurdly long) is refused before any lookup.
import { z } from "zod";
import { PASSWORD_MAX } from "./password";

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().min(3).max(254).pipe(z.email()),
  password: z.string().min(1).max(PASSWORD_MAX),
  /** The authenticator's code, for accounts with a second factor (asked for after the password is right). */
  code: z.string().max(20).optional(),
});

export type Credentials = z.infer<typeof credentialsSchema>;

// The forecast worker's entry: registers tsx (as the server's scripts do) so the engine's TypeScript loads, then
// starts the worker itself. Started by lib/forecast/pool.ts.
import { register } from "tsx/esm/api";

register();
await import("./worker.ts");

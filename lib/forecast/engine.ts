// The forecast engine's entry: validates an input (./schema.ts) and simulates it (./simulate.ts, where the model is).
import { forecastInput, type ForecastInputJson, type ForecastResult } from "./schema";
import { runForecast } from "./simulate";

export * from "./simulate";

/** Validates (throws a ZodError on bad input) and runs the forecast. */
export function forecast(json: ForecastInputJson): ForecastResult {
  return runForecast(forecastInput.parse(json));
}

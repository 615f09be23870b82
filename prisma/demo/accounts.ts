// The demo accounts (listed in the README), shared by the seed and the browser tests.
export const DEMO_PASSWORD = "trialbridge-demo";

export const DEMO_ACCOUNTS = {
  admin: "admin@example.org",
  coordinatorUs: "coordinator.us@example.org",
  coordinatorCn: "coordinator.cn@example.org",
  investigator: "investigator@example.org",
  sponsor: "sponsor@example.org",
} as const;

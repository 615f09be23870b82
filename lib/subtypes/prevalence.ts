// Default share of screened lung-cancer patients carrying each subtype, per country: editable defaults for the
// forecast and the demo data. Base: lung adenocarcinoma unless noted. Sources as published:
//   US: LCMC (Kris, JAMA 2014, n=733); KRAS G12C from GENIE (Nassar, NEJM 2021); others from reviews.
//   CN: Si et al., Thorac Cancer 2021 (NGS, n=7395); KRAS G12C from Liu, Biomark Res 2020 (9.8% x 29.5%).
// EGFR sensitizing mutations are split between exon 19 deletion and L858R in roughly a 55:45 ratio.
import type { Country } from "@/lib/db/generated/enums";

export const DEFAULT_PREVALENCE: Readonly<Record<Country, Readonly<Record<string, number>>>> = {
  US: {
    "EGFR:ex19del": 0.094,
    "EGFR:L858R": 0.076,
    "EGFR:T790M": 0.01,
    "EGFR:ex20ins": 0.02,
    "ALK:fusion": 0.08,
    "ROS1:fusion": 0.015,
    "KRAS:G12C": 0.138,
    "BRAF:V600E": 0.015,
    "MET:ex14skip": 0.03,
    "RET:fusion": 0.015,
    "ERBB2:ex20ins": 0.03,
    "NTRK:fusion": 0.0017,
  },
  CN: {
    "EGFR:ex19del": 0.26,
    "EGFR:L858R": 0.22,
    "EGFR:T790M": 0.01,
    "EGFR:ex20ins": 0.03,
    "ALK:fusion": 0.039,
    "ROS1:fusion": 0.009,
    "KRAS:G12C": 0.029,
    "BRAF:V600E": 0.015,
    "MET:ex14skip": 0.009,
    "RET:fusion": 0.014,
    "ERBB2:ex20ins": 0.035,
    "NTRK:fusion": 0.006,
  },
};

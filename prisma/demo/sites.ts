// 43 fictional hospitals (20 in the US, 23 in China). Any likeness to a real hospital's name is accidental.
import type { Country } from "@/lib/db/generated/enums";

export interface DemoSite {
  code: string;
  nameEn: string;
  nameLocal: string;
  country: Country;
  city: string;
  timeZone: string;
}

const us = (code: string, nameEn: string, city: string, timeZone: string): DemoSite => ({ code, nameEn, nameLocal: nameEn, country: "US", city, timeZone });
const cn = (code: string, nameEn: string, nameLocal: string, city: string): DemoSite => ({
  code,
  nameEn,
  nameLocal,
  country: "CN",
  city,
  timeZone: "Asia/Shanghai",
});

export const DEMO_SITES: readonly DemoSite[] = [
  us("US-BOS1", "Harborview Thoracic Oncology Center", "Boston", "America/New_York"),
  us("US-NYC1", "Hudson Valley Cancer Institute", "New York", "America/New_York"),
  us("US-NYC2", "East River University Hospital", "New York", "America/New_York"),
  us("US-PHL1", "Liberty Bell Lung Center", "Philadelphia", "America/New_York"),
  us("US-BAL1", "Chesapeake Comprehensive Cancer Center", "Baltimore", "America/New_York"),
  us("US-ATL1", "Peachtree Oncology Institute", "Atlanta", "America/New_York"),
  us("US-MIA1", "Biscayne Cancer Hospital", "Miami", "America/New_York"),
  us("US-CLE1", "Lake Erie Medical Center", "Cleveland", "America/New_York"),
  us("US-DET1", "Great Lakes Cancer Center", "Detroit", "America/Detroit"),
  us("US-CHI1", "Lakeshore University Cancer Center", "Chicago", "America/Chicago"),
  us("US-MSP1", "North Star Oncology Clinic", "Minneapolis", "America/Chicago"),
  us("US-HOU1", "Gulf Coast Thoracic Institute", "Houston", "America/Chicago"),
  us("US-DAL1", "Trinity Cancer Center", "Dallas", "America/Chicago"),
  us("US-NSH1", "Cumberland Research Hospital", "Nashville", "America/Chicago"),
  us("US-DEN1", "Front Range Lung Institute", "Denver", "America/Denver"),
  us("US-SLC1", "Wasatch Cancer Hospital", "Salt Lake City", "America/Denver"),
  us("US-PHX1", "Sonoran Desert Oncology", "Phoenix", "America/Phoenix"),
  us("US-LA1", "Pacific Crest Cancer Center", "Los Angeles", "America/Los_Angeles"),
  us("US-SF1", "Golden Gate Thoracic Oncology", "San Francisco", "America/Los_Angeles"),
  us("US-SEA1", "Puget Sound Cancer Institute", "Seattle", "America/Los_Angeles"),
  cn("CN-GZ1", "Pearl River Cancer Hospital", "珠江肿瘤医院", "Guangzhou"),
  cn("CN-GZ2", "Baiyun Thoracic Hospital", "白云胸科医院", "Guangzhou"),
  cn("CN-SZ1", "Shenzhen Bay Oncology Center", "深圳湾肿瘤中心", "Shenzhen"),
  cn("CN-SH1", "Huangpu River Cancer Center", "黄浦江肿瘤中心", "Shanghai"),
  cn("CN-SH2", "Pudong Pulmonary Hospital", "浦东肺科医院", "Shanghai"),
  cn("CN-BJ1", "Capital Thoracic Oncology Hospital", "首都胸部肿瘤医院", "Beijing"),
  cn("CN-BJ2", "Yanshan Cancer Institute Hospital", "燕山肿瘤研究所医院", "Beijing"),
  cn("CN-TJ1", "Haihe Cancer Hospital", "海河肿瘤医院", "Tianjin"),
  cn("CN-CD1", "Jinjiang Cancer Center", "锦江肿瘤中心", "Chengdu"),
  cn("CN-CQ1", "Jialing River Hospital", "嘉陵江医院", "Chongqing"),
  cn("CN-WH1", "Yellow Crane Oncology Hospital", "黄鹤肿瘤医院", "Wuhan"),
  cn("CN-HZ1", "West Lake Cancer Hospital", "西湖肿瘤医院", "Hangzhou"),
  cn("CN-NJ1", "Zijin Mountain Thoracic Center", "紫金山胸科中心", "Nanjing"),
  cn("CN-XA1", "Chang'an Cancer Hospital", "长安肿瘤医院", "Xi'an"),
  cn("CN-CS1", "Xiangjiang Oncology Center", "湘江肿瘤中心", "Changsha"),
  cn("CN-ZZ1", "Central Plains Cancer Hospital", "中原肿瘤医院", "Zhengzhou"),
  cn("CN-JN1", "Spring City Lung Hospital", "泉城肺科医院", "Jinan"),
  cn("CN-SY1", "Hunhe Cancer Center", "浑河肿瘤中心", "Shenyang"),
  cn("CN-HRB1", "Songhua River Oncology Hospital", "松花江肿瘤医院", "Harbin"),
  cn("CN-KM1", "Dianchi Cancer Hospital", "滇池肿瘤医院", "Kunming"),
  cn("CN-FZ1", "Minjiang Thoracic Hospital", "闽江胸科医院", "Fuzhou"),
  cn("CN-XM1", "Egret Island Cancer Center", "鹭岛肿瘤中心", "Xiamen"),
  cn("CN-NN1", "Yongjiang Oncology Hospital", "邕江肿瘤医院", "Nanning"),
];

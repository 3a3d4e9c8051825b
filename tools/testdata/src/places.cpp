#include "places.h"

#include <array>
#include <cstdio>

namespace cardd::testdata {
namespace {

using Streets = std::array<std::string_view, 6>;

constexpr Streets kDongcheng = {"东四十条",     "朝阳门内大街", "和平里东街",
                                "东直门南小街", "崇文门外大街", "安定门外大街"};
constexpr Streets kXicheng = {"西直门内大街", "阜成门外大街", "广安门内大街",
                              "月坛北街",     "德胜门外大街", "白纸坊东街"};
constexpr Streets kChaoyang = {"建国路",   "朝阳北路", "望京西路",
                               "安贞西里", "劲松南路", "潘家园路"};
constexpr Streets kFengtai = {"丰台北路", "方庄路",   "马家堡东路",
                              "南苑路",   "卢沟桥路", "右安门外大街"};
constexpr Streets kShijingshan = {"八角北路", "鲁谷路", "古城南路",
                                  "苹果园路", "金顶街", "老山东里"};
constexpr Streets kHaidian = {"中关村大街", "学院路", "万寿路", "花园路", "紫竹院路", "上地西路"};
constexpr Streets kMentougou = {"新桥大街", "滨河路", "石龙路", "城子大街", "双峪路", "黑山大街"};
constexpr Streets kFangshan = {"良乡拱辰大街",   "燕山迎风街",   "长阳镇长政南街",
                               "城关街道西大街", "窦店镇窦店村", "阎村镇大紫草坞村"};
constexpr Streets kTongzhou = {"新华西街",       "玉桥中路",     "九棵树东路",
                               "梨园镇云景东路", "宋庄镇小堡村", "永顺镇龙旺庄"};
constexpr Streets kShunyi = {"府前中街",         "光明南街", "双兴南区",
                             "后沙峪镇裕民大街", "杨镇一街", "李桥镇沮沟村"};
constexpr Streets kChangping = {"政府街",       "回龙观西大街",     "天通苑北一区",
                                "南口镇南口村", "小汤山镇大东流村", "鼓楼南街"};
constexpr Streets kDaxing = {"兴华大街",       "黄村西大街",     "清源路",
                             "旧宫镇旧宫东路", "西红门镇宏福路", "庞各庄镇庞各庄村"};
constexpr Streets kHuairou = {"青春路",         "府前街",       "迎宾路",
                              "雁栖镇范各庄村", "庙城镇庙城村", "富乐大街"};
constexpr Streets kPinggu = {"府前街",         "新平北路",     "林荫北街",
                             "金海湖镇海子村", "马坊镇马坊村", "平谷镇胜利街"};
constexpr Streets kMiyun = {"鼓楼东大街",       "新中街",           "宾阳北里",
                            "溪翁庄镇溪翁庄村", "十里堡镇十里堡村", "果园街道果园东里"};
constexpr Streets kYanqing = {"妫水北街",     "东外大街",     "高塔街",
                              "康庄镇康庄村", "永宁镇永宁村", "湖南东路"};

constexpr std::array<District, 16> kDistricts = {{
    {"110101", "东城区", "100010", kDongcheng},
    {"110102", "西城区", "100032", kXicheng},
    {"110105", "朝阳区", "100020", kChaoyang},
    {"110106", "丰台区", "100071", kFengtai},
    {"110107", "石景山区", "100043", kShijingshan},
    {"110108", "海淀区", "100080", kHaidian},
    {"110109", "门头沟区", "102300", kMentougou},
    {"110111", "房山区", "102488", kFangshan},
    {"110112", "通州区", "101100", kTongzhou},
    {"110113", "顺义区", "101300", kShunyi},
    {"110114", "昌平区", "102200", kChangping},
    {"110115", "大兴区", "102600", kDaxing},
    {"110116", "怀柔区", "101400", kHuairou},
    {"110117", "平谷区", "101200", kPinggu},
    {"110118", "密云区", "101500", kMiyun},
    {"110119", "延庆区", "102100", kYanqing},
}};

constexpr std::array<std::string_view, 8> kBanks = {"ICBC",  "CCB",  "ABC", "BOC",
                                                    "BOCOM", "PSBC", "BOB", "BJRCB"};

constexpr std::array<std::string_view, 36> kMobilePrefixes = {
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "170", "173", "176", "177",
    "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199"};

}  // namespace

std::span<const District> beijing_districts() { return kDistricts; }

std::string make_address(Prng& rng, const District& district) {
  const std::string_view street = rng.pick(std::span<const std::string_view>(district.streets));
  std::string out = "北京市";
  out += district.name;
  out += street;
  char buf[96];
  if (street.ends_with("村")) {
    // Village houses are numbered along lanes.
    std::snprintf(buf, sizeof buf, "%d排%d号", rng.range(1, 30), rng.range(1, 40));
  } else if (rng.chance(0.6)) {
    std::snprintf(buf, sizeof buf, "%d号院%d号楼%d单元%d%02d", rng.range(1, 199), rng.range(1, 24),
                  rng.range(1, 6), rng.range(1, 18), rng.range(1, 4));
  } else {
    std::snprintf(buf, sizeof buf, "%d号楼%d门%d%02d号", rng.range(1, 30), rng.range(1, 8),
                  rng.range(1, 6), rng.range(1, 3));
  }
  out += buf;
  return out;
}

std::span<const std::string_view> bank_codes() { return kBanks; }

std::string make_branch(Prng& rng, std::string_view bank, std::string_view district_code) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*s-%.*s-%03d", static_cast<int>(bank.size()), bank.data(),
                static_cast<int>(district_code.size()), district_code.data(), rng.range(1, 24));
  return buf;
}

std::string make_mobile(Prng& rng) {
  std::string out(rng.pick(kMobilePrefixes));
  for (int i = 0; i < 8; ++i) out += static_cast<char>('0' + rng.below(10));
  return out;
}

}  // namespace cardd::testdata

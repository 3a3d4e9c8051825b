#include "names.h"

#include <array>
#include <string_view>

namespace cardd::testdata {
namespace {

// The most common surnames, roughly by frequency (repeats weight the head).
constexpr std::array<std::string_view, 60> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "王", "李", "张", "刘", "陈",
    "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩",
    "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕",
    "苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏"};
constexpr std::array<std::string_view, 6> kCompoundSurnames = {"欧阳", "司马", "诸葛",
                                                               "上官", "东方", "皇甫"};

constexpr std::array<std::string_view, 48> kMaleGiven = {
    "建国", "建华", "国强", "志强", "德明", "振华", "文军", "卫东", "永刚", "国庆", "军",   "伟",
    "刚",   "勇",   "明",   "强",   "平",   "辉",   "建军", "志刚", "海",   "波",   "斌",   "国华",
    "保国", "爱国", "援朝", "跃进", "胜利", "红旗", "学军", "向东", "长江", "宝山", "福林", "金生",
    "德胜", "秀峰", "万里", "庆祥", "书田", "玉林", "广才", "瑞",   "鹏",   "俊杰", "树森", "润"};
constexpr std::array<std::string_view, 48> kFemaleGiven = {
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤兰", "玉珍", "淑兰", "丽华", "红",   "芳",
    "敏",   "静",   "丽",   "霞",   "燕",   "琴",   "淑英", "秀珍", "秀云", "桂珍", "玉梅", "凤英",
    "玉芬", "秀荣", "桂芳", "淑华", "美华", "金凤", "素梅", "翠英", "建英", "红梅", "卫红", "爱华",
    "月娥", "玉琴", "慧",   "萍",   "英",   "兰",   "淑敏", "彩霞", "秀梅", "丽娟", "文秀", "雅琴"};
constexpr std::array<std::string_view, 24> kChildGiven = {
    "磊",   "涛",   "鑫",   "静",   "婷",   "洋",   "超",   "娜",   "帅",   "晶",   "颖",   "宁",
    "小明", "晓燕", "海涛", "丽娜", "志远", "雪梅", "春雨", "晓东", "立新", "海燕", "振宇", "佳"};

// Uyghur and Kazakh names as written in Chinese: given name · father's name.
constexpr std::array<std::string_view, 10> kMinorityMale = {
    "艾尔肯", "买买提", "阿不都拉", "吐尔逊", "艾合买提",
    "努尔兰", "热合曼", "阿里木",   "库尔班", "依明"};
constexpr std::array<std::string_view, 10> kMinorityFemale = {
    "阿依古丽",   "古丽娜尔", "帕提古丽", "热依拉",   "阿依努尔",
    "古再丽努尔", "米娜",     "佐日古丽", "努尔古丽", "玛依拉"};
constexpr std::array<std::string_view, 10> kMinorityFather = {
    "买买提", "吐尔逊", "阿不都拉", "艾力",   "热合曼",
    "库尔班", "司马义", "阿布都",   "玉苏甫", "哈力克"};

// Characters from CJK Extension B (U+20000..U+2A6DF), each used in real
// names: 𠮷 U+20BB7 and friends. Encoded as UTF-8 (4 bytes each).
constexpr std::array<std::string_view, 8> kRareCharacters = {
    "\xF0\xA0\xAE\xB7",  // U+20BB7
    "\xF0\xA1\x88\xBC",  // U+2123C
    "\xF0\xA6\xB0\xA1",  // U+26C21
    "\xF0\xAA\x9A\xA5",  // U+2A6A5
    "\xF0\xA0\x80\x8B",  // U+2000B
    "\xF0\xA4\x8B\xAE",  // U+242EE
    "\xF0\xA5\x90\xAB",  // U+2542B
    "\xF0\xA0\x86\xA2",  // U+201A2
};

// Ethnicities of Han-looking names besides 01 汉族: 满 11, 回 03, 蒙古 02, 朝鲜 10.
std::string han_ethnicity(Prng& rng) {
  const double roll = rng.unit();
  if (roll < 0.04) return "11";
  if (roll < 0.07) return "03";
  if (roll < 0.08) return "02";
  if (roll < 0.085) return "10";
  return "01";
}

std::string surname(Prng& rng) {
  if (rng.chance(0.01)) return std::string(rng.pick(kCompoundSurnames));
  return std::string(rng.pick(kSurnames));
}

}  // namespace

PersonName make_person_name(Prng& rng, bool female) {
  PersonName name;
  const double roll = rng.unit();
  if (roll < 0.05) {
    name.kind = NameKind::minority;
    name.surname = std::string(female ? rng.pick(kMinorityFemale) : rng.pick(kMinorityMale));
    name.text = name.surname + "\xC2\xB7" + std::string(rng.pick(kMinorityFather));
    name.ethnicity = rng.chance(0.8) ? "05" : "17";  // 维吾尔族, 哈萨克族
    return name;
  }
  name.surname = surname(rng);
  name.ethnicity = han_ethnicity(rng);
  if (roll < 0.08) {
    // The rare character sits in the given name, alone or with a common one.
    name.kind = NameKind::rare_character;
    const std::string rare(rng.pick(kRareCharacters));
    const std::string common(female ? rng.pick(kFemaleGiven) : rng.pick(kMaleGiven));
    const std::string first = common.substr(0, 3);  // one BMP character
    switch (rng.below(3)) {
      case 0:
        name.text = name.surname + rare;
        break;
      case 1:
        name.text = name.surname + rare + first;
        break;
      default:
        name.text = name.surname + first + rare;
        break;
    }
    return name;
  }
  name.text = name.surname + std::string(female ? rng.pick(kFemaleGiven) : rng.pick(kMaleGiven));
  return name;
}

std::string make_relative_name(Prng& rng, const std::string& surname) {
  return surname + std::string(rng.pick(kChildGiven));
}

std::size_t count_code_points(const std::string& utf8) {
  std::size_t n = 0;
  for (const char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++n;
  }
  return n;
}

std::size_t code_point_offset(const std::string& utf8, std::size_t n) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0U) != 0x80U) {
      if (seen == n) return i;
      ++seen;
    }
  }
  return utf8.size();
}

}  // namespace cardd::testdata

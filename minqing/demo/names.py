"""Word lists for the demo county: surnames, given-name characters, place names, posts.

Everything here is fictional. Lists are plain tuples (never sets) so that drawing from them
with a seeded RNG gives the same result on every run and every Python build.
"""

from __future__ import annotations

from itertools import accumulate

# Common surnames with rough relative frequencies (per mille), so 王/李/张 dominate the way
# they do in a real household register.
_SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 32), ("黄", 22),
    ("赵", 21), ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 12), ("朱", 12),
    ("胡", 12), ("郭", 11), ("何", 11), ("高", 10), ("林", 10), ("罗", 10), ("郑", 9),
    ("梁", 9), ("谢", 8), ("宋", 7), ("唐", 7), ("许", 6), ("韩", 6), ("冯", 6), ("邓", 6),
    ("曹", 6), ("彭", 5), ("曾", 5), ("肖", 5), ("田", 5), ("董", 5), ("袁", 5), ("潘", 4),
    ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4), ("程", 4), ("苏", 4),
    ("魏", 4), ("吕", 4), ("丁", 4), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3),
    ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 2), ("邹", 2),
    ("孟", 2), ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2),
    ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("万", 2), ("严", 1), ("覃", 1), ("武", 1),
    ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("蒙", 1), ("岑", 1), ("班", 1),
)  # fmt: skip
SURNAMES: tuple[str, ...] = tuple(s for s, _ in _SURNAME_WEIGHTS)
# Cumulative weights let `rng.choices(..., cum_weights=...)` skip re-summing on every draw.
SURNAME_CUM_WEIGHTS: tuple[float, ...] = tuple(accumulate(w for _, w in _SURNAME_WEIGHTS))

# Given-name characters by generation: a grandmother is 桂英, her granddaughter 欣怡.
# Index: [era][is_male]; eras are born before 1970, 1970-1999, from 2000.
GIVEN_CHARS: tuple[tuple[str, str], ...] = (
    (
        "秀英兰桂珍芳玉凤翠云琼素美淑花梅菊莲香琴春娥芝荣仙爱月群霞",
        "国建明永德志华文富贵有忠福强军林兴荣才金树成光平发清海春庆良生祥昌顺保新万",
    ),
    (
        "丽敏静燕艳娟霞芳娜玲莉琳红萍婷雪慧洁倩颖蓉梅丹晶薇琴瑶佳莹雯欣",
        "伟强勇军磊涛斌杰鹏辉波刚超健亮峰飞明兵俊华龙海林东宇鑫凯浩晨志洪锋毅剑",
    ),
    (
        "欣怡梓涵诗雨语萱可馨思彤佳琪诺子悦若汐梦瑶雅静晨曦紫嫣心依安舒乐",
        "子轩浩宇俊杰梓睿博文昊然天佑逸辰宸铭泽嘉瑞航奕一诺锦程思远煜楷皓阳晨明豪",
    ),
)

# Place-name parts; first + second gives names like 石桥, 柳塘, 龙场, 茶园.
PLACE_FIRST = "石龙凤桃柳杨青白黄马高新大小金银花松竹梅荷云长平安太和兴永茶枫杉鹿鹤牛水岩沙"
PLACE_SECOND = "桥坪坝田塘湾沟岭寨溪河山林园庄口冲坡场堡井洞垭"
SUBDISTRICT_NAMES: tuple[str, ...] = (
    "城关", "文峰", "龙泉", "东城", "西城", "南城", "北城", "新城", "凤凰", "河西", "滨江",
    "玉屏", "翠屏", "金山",
)  # fmt: skip
COMMUNITY_NAMES: tuple[str, ...] = (
    "文昌", "和平", "建设", "新华", "东门", "西门", "南门", "北门", "滨河", "锦绣", "阳光",
    "幸福", "育才", "花园", "人民", "解放", "中山", "朝阳", "金穗", "龙井", "明珠", "迎宾",
    "红旗", "光明", "团结", "胜利", "东风", "振兴", "丰收", "春晖", "书香", "桂花", "杏林",
    "状元", "府前", "学府", "新民", "康宁", "富民", "兴隆", "映山", "锦江", "翠湖", "月亮湾",
)  # fmt: skip
ROAD_NAMES: tuple[str, ...] = (
    "人民路", "解放路", "中山路", "建设路", "文化路", "新华路", "滨河路", "环城路", "育才路",
    "迎宾大道", "府前街", "东大街", "西大街", "南街", "北街", "步行街", "青年路", "民族路",
)  # fmt: skip
ESTATE_NAMES: tuple[str, ...] = (
    "阳光小区", "锦绣家园", "幸福里", "金桂苑", "和平小区", "滨江花园", "翠湖苑", "书香名邸",
    "惠民小区", "安居苑", "康乐小区", "春晖苑",
)  # fmt: skip
COUNTY_FIRST = "安长永兴平宁丰泰瑞福云枫桂竹石凤鹤青"
COUNTY_SECOND = "平宁丰和安阳江山川源溪峰水远"

# Mobile prefixes in use in mainland China (first three digits).
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177",
    "178", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191",
    "198", "199",
)  # fmt: skip

CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (enough for group and grid ordinals)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


# County departments (县直部门) that take escalated cases, with the post of their two or three
# handlers; the first handler heads the unit in the demo.
DEPARTMENTS: tuple[str, ...] = (
    "民政局", "水务局", "交通运输局", "卫生健康局", "教育局", "人力资源和社会保障局",
    "住房和城乡建设局", "自然资源局", "公安局", "农业农村局", "应急管理局", "市场监督管理局",
)  # fmt: skip
DEPARTMENT_POSTS: tuple[str, ...] = ("分管副局长", "办公室主任", "业务股股长")
# County offices: (name after the county name, short name).
OFFICES: tuple[tuple[str, str], ...] = (
    ("委组织部(党建办)", "党建办"),
    ("委督查室", "督查室"),
    ("民情民意联络服务办公室", "民情办"),
)

TOWNSHIP_LEADER_POSTS: dict[str, tuple[str, str]] = {
    "街道": ("党工委书记", "办事处主任"),
    "镇": ("党委书记", "镇长"),
    "乡": ("党委书记", "乡长"),
}
# The first township post heads its 民情民意联络服务中心.
TOWNSHIP_STAFF_POSTS: tuple[str, ...] = (
    "联络服务中心主任", "党政办干事", "综治中心干事", "社会事务办干事", "经济发展办干事",
    "农业服务中心干事", "乡村振兴办干事", "自然资源所干事", "财政所干事", "应急办干事",
    "司法所干事", "文化站干事",
)  # fmt: skip
VILLAGE_CADRE_POSTS: dict[str, tuple[str, ...]] = {
    "村": ("党支部书记、村委会主任", "党支部副书记", "村委会副主任", "村委委员(妇联主席)",
          "村委委员(文书)"),
    "社区": ("社区党委书记、居委会主任", "社区党委副书记", "居委会副主任",
            "居委委员(妇联主席)", "居委委员(网格长)"),
}  # fmt: skip
LIAISON_POSTS: dict[str, str] = {"村": "村民小组长、民情联络员", "社区": "专职网格员"}
DEPUTY_POSTS: tuple[str, ...] = ("县人大代表", "县党代表", "乡镇人大代表")

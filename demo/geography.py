"""泰安市 as the demo city: its six real districts (GB/T 2260 codes), a few real streets/towns each,
and their parks, buildings and markets. The seeded demo city (demo.seeding) and the register
generator (demo.registers) both use these, so that generated registers import into the demo city."""

from __future__ import annotations

from enterprises.choices import CarrierKind

CITY = ("370900", "泰安市")

# (district code, name, relative weight, streets/towns, parks/buildings/markets)
DISTRICTS: list[tuple[str, str, int, list[str], list[str]]] = [
    (
        "370902",
        "泰山区",
        18,
        ["岱庙街道", "财源街道", "泰前街道", "上高街道", "徐家楼街道", "省庄镇", "邱家店镇"],
        ["速恒物流园区", "泰山科技金融大厦", "万达广场商务楼宇", "财源街商圈"],
    ),
    (
        "370911",
        "岱岳区",
        20,
        ["粥店街道", "天平街道", "北集坡街道", "山口镇", "满庄镇", "大汶口镇"],
        ["泰安高新技术产业开发区", "天平湖创新创业园", "泰安经济开发区"],
    ),
    (
        "370982",
        "新泰市",
        20,
        ["青云街道", "新汶街道", "新甫街道", "东都镇", "羊流镇", "楼德镇"],
        ["新泰经济开发区", "新汶工业园", "青云商贸城"],
    ),
    (
        "370983",
        "肥城市",
        16,
        ["新城街道", "老城街道", "王瓜店街道", "仪阳街道", "石横镇", "安驾庄镇"],
        ["肥城高新技术产业开发区", "肥城经济开发区", "桃都商务楼宇"],
    ),
    (
        "370921",
        "宁阳县",
        13,
        ["文庙街道", "八仙桥街道", "泗店镇", "磁窑镇", "华丰镇"],
        ["宁阳经济开发区", "宁阳化工产业园"],
    ),
    (
        "370923",
        "东平县",
        13,
        ["东平街道", "彭集街道", "州城街道", "沙河站镇", "老湖镇"],
        ["东平经济开发区", "东平湖物流园"],
    ),
]


# (name, GB/T 2260 code): the districts as the registers (demo.registers) name them.
DISTRICT_CODES: list[tuple[str, str]] = [(name, code) for code, name, *_rest in DISTRICTS]


def carrier_kind(name: str) -> str:
    if "大厦" in name or "楼宇" in name:
        return CarrierKind.BUILDING
    if "商圈" in name or "商贸城" in name or "市场" in name:
        return CarrierKind.MARKET
    if "创业园" in name or "孵化" in name:
        return CarrierKind.INCUBATOR
    return CarrierKind.PARK


# (industry letter, weight among individual businesses, weight among companies, name words)
INDUSTRIES: list[tuple[str, float, float, list[str]]] = [
    ("F", 40, 22, ["商贸", "贸易", "电子商务", "百货", "五金", "便利店", "建材", "服饰"]),
    ("H", 22, 4, ["餐饮管理", "小吃店", "面馆", "饭店", "茶饮", "民宿"]),
    ("O", 14, 4, ["家政服务", "汽车维修", "理发店", "洗衣店", "保洁服务"]),
    ("C", 5, 14, ["机械制造", "电子科技", "服装", "塑料制品", "新材料", "精密机械"]),
    ("I", 2, 14, ["网络科技", "信息技术", "软件", "数字科技", "数据服务"]),
    ("L", 3, 12, ["企业管理咨询", "文化传媒", "广告", "人力资源", "会展服务"]),
    ("M", 1, 8, ["检测技术", "生物科技", "环保科技", "工程设计"]),
    ("E", 2, 7, ["建设工程", "装饰工程", "市政工程", "劳务"]),
    ("G", 5, 5, ["物流", "供应链管理", "货运", "快递服务"]),
    ("R", 2, 3, ["文化艺术", "健身", "影视", "体育发展"]),
    ("K", 0.5, 3, ["物业管理", "房地产经纪", "置业"]),
    ("A", 2, 2, ["农业开发", "生态农业", "家庭农场", "茶叶"]),
    ("P", 0.5, 2, ["教育科技", "培训"]),
    ("Q", 1, 1, ["医疗管理", "养老服务", "诊所"]),
]

ZIHAO = "鑫华达盛恒源泰瑞嘉创联辉宏信通安丰隆兴祥和润明博昌正阳天海德美佳鼎汇锦诚科新星晨远中东方立航金启智云腾越"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲红志新宇浩然子涵晓峰"
ROADS = ["东岳大街", "灵山大街", "泰山大街", "岱宗大街", "迎胜路", "青年路", "长城路", "龙潭路", "望岳路", "温泉路"]

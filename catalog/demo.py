"""The demo catalog: a believable specialty shop floor for each demo platform, written through the
catalog services. `cn` sells mother-and-baby goods and beauty, `us` outdoor gear and kitchenware.

Products are composed from hand-written tables: a product kind (what it is, its real taxonomy
node, HS code, sizes, price band, weight) crossed with the product lines and brands of the shop that
sells it. Every text exists in Chinese and in English. Brands and shops are invented. Everything is
derived from fixed seeds, so a second run finds every product already there and creates nothing."""

import io
import random
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from djmoney.money import Money
from PIL import Image, ImageDraw

from crossborder import money
from crossborder.models import Partnership

from . import services
from .models import Category, ExportOffer, Merchant, Product

DEMO_SHOP_PASSWORD = "shop-demo"  # noqa: S105 - printed by the demo; the demo is not production
IMAGE_POOL_SIZE = 16
IMAGE_SIZE = 480
OFFER_SHARE = 0.6
DRAFT_SHARE = 0.03


class DemoDataError(RuntimeError):
    """The demo tables and this instance disagree (e.g. a taxonomy path the data file lacks)."""


@dataclass(frozen=True)
class Kind:
    """One kind of product a shop sells, and everything its products share."""

    key: str  # short code, the start of its product codes
    path: str  # Google taxonomy path, looked up at run time
    hs_code: str
    noun: tuple  # (en, zh); may hold "{line}" when the line names the product
    lines: tuple  # product lines / series: ((en, zh), ...)
    axis: str  # variant attribute name
    options: tuple  # variant values: "neutral" or (en, zh)
    price: tuple  # home-price band of the smallest option, in the platform currency
    blurb: tuple  # (en, zh) what a shopper should know
    weight: tuple = (100, 500)  # grams
    dims: tuple = (200, 150, 100)  # mm, packed
    step: float = 0.0  # price rise per option step (bigger sizes cost more)
    origins: tuple = ()  # countries of origin; the shop's when empty


@dataclass(frozen=True)
class Shop:
    username: str
    slug: str
    name: str
    email: str
    brands: tuple  # ((code, en, zh), ...)
    promise: tuple  # (en, zh) the shop's service line, closing every description
    origins: tuple
    kinds: tuple


def K(key, path, hs_code, noun, lines, axis, options, price, blurb, **extra):
    return Kind(key, path, hs_code, noun, tuple(lines), axis, tuple(options), price, blurb, **extra)


# --- cn: Bao Bei Mall, mother-and-baby and beauty (CNY) -------------------------------------------

BABY = "Baby & Toddler"
FEEDING = f"{BABY} > Nursing & Feeding"
COSMETICS = "Health & Beauty > Personal Care > Cosmetics"
SKIN = f"{COSMETICS} > Skin Care"
MAKEUP = f"{COSMETICS} > Makeup"
PASTELS = (("Cream", "奶油白"), ("Haze Blue", "雾霾蓝"), ("Blossom Pink", "樱花粉"))

CN_SHOPS = (
    Shop(
        username="shop1",
        slug="nuanya-baby",
        name="暖芽母婴旗舰店",
        email="service@nuanya.example",
        brands=(("NY", "Nuanya", "暖芽"), ("FB", "Fawn Baby", "小鹿贝贝")),
        promise=(
            "Sold and shipped by the brand's flagship store: 7-day no-questions returns, dispatched within 48 hours.",
            "品牌官方旗舰店发货，正品保障；支持七天无理由退换，48小时内发货。",
        ),
        origins=("CN",),
        kinds=(
            K(
                "BTL",
                f"{FEEDING} > Baby Bottles",
                "392490",
                ("Baby Bottle", "奶瓶"),
                [("Wide-Neck Glass", "宽口径玻璃"), ("PPSU Anti-Colic", "PPSU防胀气"), ("Soft Silicone", "全硅胶柔软")],
                "capacity",
                ["150ml", "240ml", "300ml"],
                (69, 129),
                (
                    "A vented base valve keeps air out of the milk to ease colic, and the wide neck makes filling "
                    "and cleaning easy. BPA-free; safe to sterilise by steam or boiling.",
                    "底部排气阀减少宝宝吞入空气，缓解胀气；宽口径方便冲奶与清洗。不含双酚A，可蒸汽或水煮消毒。",
                ),
                weight=(120, 260),
                dims=(75, 75, 190),
                step=0.15,
            ),
            K(
                "NIP",
                f"{FEEDING} > Baby Bottle Nipples & Liners > Baby Bottle Nipples",
                "401490",
                ("Replacement Nipples (2-Pack)", "替换奶嘴（2只装）"),
                [("Natural Latch", "仿母乳实感"), ("Cross-Cut", "十字孔"), ("Liquid Silicone", "液态硅胶")],
                "flow",
                ["S", "M", "L", "Y"],
                (29, 59),
                (
                    "Soft, breast-like silicone with a twin anti-colic vent. Fits all our wide-neck bottles; "
                    "replace every two to three months.",
                    "亲肤柔软的硅胶奶嘴，双侧防胀气孔；适配本店全部宽口径奶瓶，建议每两到三个月更换一次。",
                ),
                weight=(20, 40),
                dims=(60, 60, 50),
            ),
            K(
                "PAC",
                f"{BABY} > Baby Health > Pacifiers & Teethers",
                "401490",
                ("Pacifier", "安抚奶嘴"),
                [("Night-Glow", "夜光"), ("Orthodontic", "正畸型"), ("One-Piece Silicone", "一体式硅胶")],
                "age",
                [("0-6 months", "0-6个月"), ("6-18 months", "6-18个月"), ("18 months+", "18个月以上")],
                (39, 79),
                (
                    "A symmetrical orthodontic teat supports natural palate development and the vented shield "
                    "keeps skin dry. Comes with a hygienic travel case.",
                    "对称扁头设计，贴合宝宝口腔发育；护罩带透气孔，保持口周干爽。附赠便携收纳盒。",
                ),
                weight=(15, 30),
                dims=(70, 50, 50),
            ),
            K(
                "STE",
                f"{FEEDING} > Bottle Warmers & Sterilizers",
                "851679",
                ("Bottle Sterilizer and Dryer", "奶瓶消毒烘干器"),
                [("UV", "紫外线"), ("Steam", "蒸汽"), ("3-in-1 Warming", "三合一恒温")],
                "colour",
                PASTELS,
                (199, 599),
                (
                    "Sterilises up to six bottles in ten minutes, then dries them with filtered warm air so "
                    "nothing sits damp overnight. Auto shut-off and a quiet night mode.",
                    "十分钟可消毒六只奶瓶，随后以过滤热风烘干，避免潮湿滋生细菌。自动断电，夜间静音模式。",
                ),
                weight=(1800, 3200),
                dims=(300, 280, 300),
            ),
            K(
                "PMP",
                f"{FEEDING} > Breast Pumps",
                "901890",
                ("Breast Pump", "吸奶器"),
                [("Double Electric", "双边电动"), ("Wearable Hands-Free", "免手扶穿戴式"), ("Manual", "手动")],
                "colour",
                [("White", "珍珠白"), ("Pink", "樱花粉"), ("Lavender", "香芋紫")],
                (199, 899),
                (
                    "Nine suction levels and a gentle stimulation mode; every part that touches milk is food-grade "
                    "and dishwasher safe. Quiet enough to use at work.",
                    "九档吸力，另设按摩刺激模式；接触乳汁部件均为食品级材质，可放入洗碗机。运行安静，上班背奶也方便。",
                ),
                weight=(300, 900),
                dims=(200, 150, 120),
            ),
            K(
                "MLK",
                f"{FEEDING} > Breast Milk Storage Containers",
                "392329",
                ("Breast Milk Storage Bags", "储奶袋"),
                [("Double-Zip", "双层密封"), ("Pour-Spout", "带倒奶嘴"), ("Freeze-Flat", "可平放速冻")],
                "pack",
                [("30 bags", "30片"), ("60 bags", "60片"), ("100 bags", "100片")],
                (29, 49),
                (
                    "Pre-sterilised 200 ml bags that lie flat to freeze and thaw quickly; a write-on label records "
                    "the date and the amount.",
                    "预灭菌200毫升储奶袋，可平放速冻、快速解冻；标签处可记录日期与奶量。",
                ),
                weight=(150, 450),
                dims=(220, 150, 80),
                step=0.6,
            ),
            K(
                "CUP",
                f"{FEEDING} > Sippy Cups",
                "392410",
                ("Sippy Cup", "学饮杯"),
                [("Weighted Straw", "重力球吸管"), ("360° Spill-Proof", "360度防漏"), ("Duckbill Spout", "鸭嘴")],
                "colour",
                [("Mint", "薄荷绿"), ("Sky Blue", "天空蓝"), ("Peach", "蜜桃粉"), ("Lemon", "柠檬黄")],
                (49, 99),
                (
                    "Easy-grip handles come off as your toddler grows, and the leak-proof valve only opens when "
                    "they drink. 240 ml, BPA-free.",
                    "双侧手柄可拆卸，陪宝宝从练习到独立饮水；防漏阀门仅在吮吸时开启。容量240毫升，不含双酚A。",
                ),
                weight=(150, 250),
                dims=(90, 90, 160),
            ),
            K(
                "BIB",
                f"{FEEDING} > Bibs",
                "611120",
                ("Bibs (3-Pack)", "围嘴（3条装）"),
                [("Cotton Muslin", "纯棉纱布"), ("Waterproof Pocket", "防水饭兜"), ("Bandana", "三角口水巾")],
                "pattern",
                [("Forest Animals", "森林动物"), ("Cloud Print", "云朵印花"), ("Pastel Stripes", "马卡龙条纹")],
                (29, 59),
                (
                    "Soft, absorbent layers and an adjustable two-snap neck; machine washable and softer with every "
                    "wash.",
                    "柔软吸水的多层面料，两档按扣可调节领围；可机洗，越洗越柔软。",
                ),
                weight=(60, 150),
                dims=(250, 200, 30),
            ),
            K(
                "FML",
                f"{FEEDING} > Baby & Toddler Food > Baby Formula",
                "190110",
                ("Infant Formula 800 g", "婴幼儿配方奶粉 800克"),
                [("A2 Protein", "A2蛋白"), ("Organic", "有机"), ("Goat Milk", "羊奶")],
                "stage",
                [
                    ("Stage 1 (0-6 months)", "1段（0-6个月）"),
                    ("Stage 2 (6-12 months)", "2段（6-12个月）"),
                    ("Stage 3 (1-3 years)", "3段（1-3岁）"),
                ],
                (238, 398),
                (
                    "Milk from grass-fed herds, with DHA, lactoferrin and added prebiotics (GOS). Made in a "
                    "registered facility; every batch can be traced from the code on the can.",
                    "奶源来自草饲牧场，添加DHA、乳铁蛋白与低聚半乳糖。注册工厂生产，罐身可扫码追溯每一批次。",
                ),
                weight=(950, 1100),
                dims=(130, 130, 180),
                origins=("NZ", "AU", "IE"),
            ),
            K(
                "CER",
                f"{FEEDING} > Baby & Toddler Food > Baby Cereal",
                "190110",
                ("Baby Rice Cereal", "婴儿米粉"),
                [("Iron-Fortified", "高铁"), ("Fruit and Vegetable", "果蔬"), ("Organic Brown Rice", "有机糙米")],
                "weight",
                ["225g", "450g"],
                (39, 69),
                (
                    "A smooth first food from six months: mixes with breast milk or formula in seconds, with no "
                    "added salt or sugar.",
                    "宝宝六个月起的第一口辅食：用母乳或奶粉一冲即溶，不添加盐和糖。",
                ),
                weight=(260, 520),
                dims=(110, 110, 150),
                step=0.8,
            ),
            K(
                "PIL",
                f"{FEEDING} > Nursing Pillows",
                "940490",
                ("Nursing Pillow", "哺乳枕"),
                [("U-Shaped", "U型"), ("Adjustable Waist-Strap", "可调腰带"), ("Memory Foam", "记忆棉")],
                "colour",
                [("Oat", "燕麦色"), ("Light Grey", "浅灰"), ("Blush", "藕粉")],
                (129, 259),
                (
                    "Lifts the baby to breast height so shoulders and back stay relaxed; the washed-cotton cover "
                    "zips off for the washing machine.",
                    "把宝宝托到合适高度，喂奶时肩背更放松；水洗棉外套可拆卸机洗。",
                ),
                weight=(700, 1200),
                dims=(600, 500, 150),
            ),
        ),
    ),
    Shop(
        username="shop2",
        slug="cloud-elephant",
        name="云朵象宝贝出行馆",
        email="hello@cloudelephant.example",
        brands=(("CE", "Cloud Elephant", "云朵象"), ("TL", "Tulebao", "途乐宝")),
        promise=(
            "Free shipping nationwide, one-year warranty, and a video guide for every assembly.",
            "全国包邮，整机一年质保，每款产品都有安装视频指导。",
        ),
        origins=("CN",),
        kinds=(
            K(
                "STR",
                f"{BABY} > Baby Transport > Baby Strollers",
                "871500",
                ("Stroller", "婴儿推车"),
                [
                    ("Lightweight Folding", "轻便折叠"),
                    ("High-View Two-Way", "高景观双向"),
                    ("Cabin-Size Travel", "可登机"),
                    ("All-Terrain", "全地形"),
                ],
                "colour",
                [("Sand", "沙漠金"), ("Charcoal", "石墨黑"), ("Sage", "鼠尾草绿")],
                (899, 2999),
                (
                    "One-hand fold, a seat that reclines almost flat for naps, a five-point harness and all-wheel "
                    "suspension. From birth to 22 kg.",
                    "单手一秒收车，座椅可调至近平躺，五点式安全带，四轮避震。适用于出生至22公斤。",
                ),
                weight=(5800, 11000),
                dims=(600, 450, 300),
            ),
            K(
                "SEA",
                f"{BABY} > Baby Transport > Baby & Toddler Car Seats",
                "940120",
                ("Car Seat", "儿童安全座椅"),
                [("ISOFIX 360° Rotating", "ISOFIX 360度旋转"), ("Infant Carrier", "婴儿提篮式"), ("Booster", "增高垫")],
                "colour",
                [("Obsidian Black", "曜石黑"), ("Starry Grey", "星空灰"), ("China Red", "中国红")],
                (699, 2999),
                (
                    "Approved to ECE R129 (i-Size) with side-impact protection and a five-point harness; the padded "
                    "inserts grow with the child.",
                    "通过ECE R129（i-Size）认证，侧撞防护加五点式安全带；可拆卸护垫随宝宝成长调节。",
                ),
                weight=(4000, 14000),
                dims=(450, 450, 650),
            ),
            K(
                "CAR",
                f"{BABY} > Baby Transport > Baby Carriers",
                "630790",
                ("Baby Carrier", "婴儿背带"),
                [("Hip-Seat", "腰凳式"), ("Ergonomic Four-Position", "四式人体工学"), ("Breathable Mesh", "透气网面")],
                "colour",
                [("Navy", "藏青"), ("Khaki", "卡其"), ("Light Grey", "浅灰")],
                (199, 599),
                (
                    "An M-shaped seat supports healthy hips; padded shoulder straps and a wide waist belt spread the "
                    "load on longer walks.",
                    "M型坐姿保护宝宝髋关节；加厚肩带与宽腰封分散重量，长时间背抱也轻松。",
                ),
                weight=(500, 1100),
                dims=(400, 300, 150),
            ),
            K(
                "SAC",
                f"{BABY} > Baby Transport Accessories > Baby Stroller Accessories",
                "630790",
                ("Stroller {line}", "推车{line}"),
                [("Rain Cover", "防雨罩"), ("Organiser Bag", "收纳挂包"), ("Cooling Seat Liner", "凉席坐垫")],
                "fit",
                [("Universal fit", "通用款")],
                (39, 129),
                (
                    "Fits most single strollers with elastic straps and hook-and-loop tabs, and folds away into its "
                    "own pouch.",
                    "弹力绑带加魔术贴，适配大多数单人推车；不用时可折叠收入自带收纳袋。",
                ),
                weight=(200, 600),
                dims=(300, 250, 80),
            ),
            K(
                "MON",
                f"{BABY} > Baby Safety > Baby Monitors",
                "852589",
                ("Baby Monitor", "婴儿监视器"),
                [("2K Wi-Fi", "2K高清WiFi"), ("Breathing-Sensing", "呼吸监测"), ("Pan-and-Tilt", "云台")],
                "set",
                [("1 camera", "单摄像头"), ("2 cameras", "双摄像头")],
                (399, 899),
                (
                    "Night vision, two-way talk, cry and temperature alerts; video stays on a local memory card "
                    "instead of the cloud.",
                    "夜视、双向对讲、哭声与温度提醒；视频保存在本地存储卡，不上传云端。",
                ),
                weight=(400, 900),
                dims=(200, 150, 100),
                step=0.5,
            ),
            K(
                "GAT",
                f"{BABY} > Baby Safety > Baby & Pet Gates",
                "732690",
                ("Safety Gate", "儿童安全门栏"),
                [("Pressure-Fit", "免打孔"), ("Auto-Close", "自动回弹"), ("Extra-Wide", "加宽")],
                "width",
                ["75-85 cm", "85-95 cm", "95-105 cm"],
                (199, 399),
                (
                    "Fits doorways and stairs without drilling; the double-lock handle opens one-handed for adults "
                    "but not for little fingers.",
                    "门框、楼梯口免打孔安装；双重保险把手大人单手可开，宝宝打不开。",
                ),
                weight=(4000, 7000),
                dims=(900, 80, 800),
                step=0.15,
            ),
            K(
                "LCK",
                f"{BABY} > Baby Safety > Baby Safety Locks & Guards",
                "392690",
                ("Cabinet Locks and Corner Guards", "安全锁防撞角套装"),
                [("Adhesive", "免钉"), ("Magnetic", "磁吸"), ("Soft Silicone", "软硅胶")],
                "pack",
                [("10 pieces", "10件装"), ("20 pieces", "20件装")],
                (19, 39),
                (
                    "No tools needed: a strong adhesive holds on drawers, fridges and toilet lids and peels off "
                    "cleanly later.",
                    "无需工具，强力背胶可用于抽屉、冰箱、马桶盖，日后撕下不留痕。",
                ),
                weight=(100, 300),
                dims=(200, 150, 50),
                step=0.6,
            ),
            K(
                "MAT",
                f"{BABY} > Baby Toys & Activity Equipment > Play Mats & Gyms > Play Mats",
                "392190",
                ("Play Mat", "爬行垫"),
                [("XPE Folding", "XPE折叠"), ("Double-Sided", "双面"), ("Extra-Thick 2 cm", "加厚2厘米")],
                "size",
                ["150 x 200 cm", "180 x 200 cm", "200 x 240 cm"],
                (159, 329),
                (
                    "Non-toxic foam with no chemical smell; wipes clean, and the quiet print on both sides suits a "
                    "living room.",
                    "无毒环保材质，无甲醛异味；表面防水一擦即净，双面图案放在客厅也好看。",
                ),
                weight=(2000, 4500),
                dims=(1000, 500, 200),
                step=0.2,
            ),
            K(
                "RAT",
                f"{BABY} > Baby Toys & Activity Equipment > Rattles",
                "950300",
                ("Rattle Set", "摇铃套装"),
                [("Wooden", "原木"), ("Teether", "牙胶"), ("Montessori Sensory", "蒙氏感官")],
                "set",
                [("6 pieces", "6件套"), ("10 pieces", "10件套")],
                (39, 79),
                (
                    "Bright colours, gentle sounds and easy-grip shapes for small hands; every piece is too big to "
                    "swallow and passes EN 71 toy-safety tests.",
                    "明亮的色彩、柔和的声音、方便小手抓握的造型；每件尺寸均防误吞，符合EN71玩具安全标准。",
                ),
                weight=(150, 400),
                dims=(250, 200, 80),
                step=0.4,
            ),
            K(
                "STK",
                f"{BABY} > Baby Toys & Activity Equipment > Sorting & Stacking Toys",
                "950300",
                ("Stacking Toy", "叠叠乐"),
                [("Rainbow", "彩虹"), ("Nesting Cups", "叠叠杯"), ("Shape-Sorter", "形状配对")],
                "colourway",
                [("Classic", "经典色"), ("Macaron", "马卡龙色")],
                (39, 129),
                (
                    "Builds hand-eye coordination and early counting; water-based paint and smooth, rounded edges.",
                    "锻炼手眼协调与数数启蒙；水性环保漆，边角圆润打磨。",
                ),
                weight=(300, 900),
                dims=(200, 200, 200),
            ),
            K(
                "BNC",
                f"{BABY} > Baby Toys & Activity Equipment > Baby Bouncers & Rockers",
                "940179",
                ("Baby Bouncer", "婴儿安抚摇椅"),
                [("Electric Rocking", "电动"), ("Foldable", "可折叠"), ("Ergonomic Mesh", "人体工学网面")],
                "colour",
                [("Light Grey", "浅灰"), ("Beige", "米白")],
                (299, 899),
                (
                    "Five swing speeds, soothing sounds and a removable toy bar; the seat reclines to three "
                    "positions and the cover is washable.",
                    "五档摇摆速度，内置安抚音乐，玩具架可拆；三档靠背调节，坐垫可拆洗。",
                ),
                weight=(3000, 6000),
                dims=(800, 500, 200),
            ),
        ),
    ),
    Shop(
        username="shop3",
        slug="mianmian-care",
        name="棉棉婴童用品专营店",
        email="kefu@mianmian.example",
        brands=(("MM", "Mianmian", "棉棉"), ("ZY", "Zhuyu", "竹语")),
        promise=(
            "Bought in bulk straight from the factory; orders before 4 pm leave the same day.",
            "工厂直供，量贩更省；下午四点前下单当天发货。",
        ),
        origins=("CN",),
        kinds=(
            K(
                "DIA",
                f"{BABY} > Diapering > Diapers",
                "961900",
                ("Diapers", "纸尿裤"),
                [("Ultra-Thin Breathable", "超薄透气"), ("Overnight", "夜用"), ("Silk-Soft", "丝柔")],
                "size",
                ["NB", "S", "M", "L", "XL", "XXL"],
                (89, 159),
                (
                    "A 3D leak guard and a quick-absorb core keep skin dry for up to 12 hours; the wetness line "
                    "turns blue when it is time to change.",
                    "3D立体防漏护围，瞬吸芯体最长12小时保持干爽；尿显线变蓝即提示更换。",
                ),
                weight=(1200, 2500),
                dims=(400, 250, 150),
            ),
            K(
                "WIP",
                f"{BABY} > Diapering > Baby Wipes",
                "330790",
                ("Baby Wipes", "婴儿湿巾"),
                [("Hand-and-Mouth", "手口专用"), ("99% Pure Water", "99%纯水"), ("Extra-Thick", "加厚")],
                "pack",
                [("80 wipes x 3", "80抽×3包"), ("80 wipes x 6", "80抽×6包"), ("80 wipes x 12", "80抽×12包")],
                (29, 49),
                (
                    "Fragrance- and alcohol-free, made with purified water; gentle enough for hands and mouth.",
                    "无香精、无酒精，采用EDI纯水；温和配方，宝宝手口都能用。",
                ),
                weight=(1200, 3600),
                dims=(200, 120, 150),
                step=0.8,
            ),
            K(
                "RSH",
                f"{BABY} > Diapering > Diaper Rash Treatments",
                "330499",
                ("Diaper Rash Cream", "护臀膏"),
                [("Zinc Oxide", "氧化锌"), ("Calendula", "金盏花"), ("Lanolin", "羊毛脂")],
                "weight",
                ["30g", "60g"],
                (39, 79),
                (
                    "Forms a breathable barrier against moisture and calms redness within a day. Free from "
                    "parabens and fragrance.",
                    "形成透气隔离膜，阻隔尿液刺激；一天内缓解泛红。不含对羟基苯甲酸酯类防腐剂与香精。",
                ),
                weight=(50, 120),
                dims=(60, 40, 140),
                step=0.5,
            ),
            K(
                "TUB",
                f"{BABY} > Baby Bathing > Baby Bathtubs & Bath Seats",
                "392210",
                ("Baby Bathtub", "婴儿浴盆"),
                [("Foldable", "可折叠"), ("Temperature-Sensing", "感温"), ("Newborn Sling", "带浴网")],
                "colour",
                [("Lake Blue", "湖水蓝"), ("Blossom Pink", "樱花粉"), ("Light Grey", "浅灰")],
                (99, 299),
                (
                    "Folds flat to 9 cm for small bathrooms, with non-slip feet and a drain plug; from newborn to "
                    "six years.",
                    "折叠后仅9厘米，小浴室也放得下；底部防滑脚垫与排水塞；适用于新生儿至6岁。",
                ),
                weight=(1500, 3000),
                dims=(800, 500, 100),
            ),
            K(
                "SWD",
                f"{BABY} > Swaddling & Receiving Blankets > Swaddling Blankets",
                "611120",
                ("Swaddle", "襁褓巾"),
                [("Bamboo Muslin", "竹纤维纱布"), ("Zip-Up", "拉链式"), ("Organic Cotton", "有机棉")],
                "colour",
                [("Sage", "鼠尾草绿"), ("Cream", "奶油白"), ("Dusty Pink", "烟粉")],
                (69, 199),
                (
                    "A snug wrap that calms the startle reflex for longer sleep; breathable, stretchy fabric and a "
                    "two-way zip for night-time changes.",
                    "包裹安全感，减少惊跳反射，帮助宝宝睡得更久；透气弹力面料，双向拉链方便夜间换尿布。",
                ),
                weight=(150, 400),
                dims=(300, 250, 50),
            ),
            K(
                "BLK",
                f"{BABY} > Swaddling & Receiving Blankets > Receiving Blankets",
                "630130",
                ("Receiving Blanket", "抱被"),
                [("Four-Season", "四季款"), ("Quilted Winter", "加厚冬季"), ("Six-Layer Gauze", "六层纱布")],
                "size",
                ["90 x 90 cm", "110 x 110 cm"],
                (99, 229),
                (
                    "Class A baby-grade cotton, breathable and soft; later it doubles as a stroller blanket and a "
                    "nap quilt.",
                    "A类婴儿级纯棉，透气柔软；长大后还能当推车盖毯和午睡被。",
                ),
                weight=(300, 800),
                dims=(350, 300, 80),
                step=0.3,
            ),
            K(
                "JKT",
                "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets",
                "620930",
                ("Baby Jacket", "宝宝外套"),
                [("Lightweight Down", "轻薄羽绒"), ("Fleece-Lined Hooded", "加绒连帽"), ("Windproof", "防风")],
                "size",
                ["66cm", "73cm", "80cm", "90cm", "100cm"],
                (159, 399),
                (
                    "Warm without bulk, with snaps down the front so dressing a wriggly baby takes seconds; soft "
                    "ribbed cuffs keep the wind out.",
                    "保暖不臃肿，前襟按扣设计，给好动的宝宝穿衣也很快；罗纹袖口防风。",
                ),
                weight=(200, 500),
                dims=(350, 300, 60),
                step=0.08,
            ),
            K(
                "SHO",
                "Apparel & Accessories > Shoes",
                "640419",
                ("First-Walker Shoes", "宝宝学步鞋"),
                [("Non-Slip Soft-Sole", "防滑软底"), ("Breathable Mesh", "透气网面"), ("Easy-Strap", "魔术贴")],
                "size",
                ["11.5cm", "12.5cm", "13.5cm", "14.5cm"],
                (79, 199),
                (
                    "Flexible, grippy soles that bend with the foot, a roomy toe box and a firm heel cup that keeps "
                    "first steps steady.",
                    "柔软防滑鞋底随脚弯折，宽鞋头不挤脚，稳固后跟帮助宝宝走稳第一步。",
                ),
                weight=(150, 300),
                dims=(200, 130, 90),
            ),
            K(
                "CHM",
                f"{BABY} > Diapering > Changing Mats & Trays",
                "630790",
                ("Changing Mat", "隔尿垫"),
                [("Waterproof Bamboo", "竹纤维防水"), ("Fold-Out Travel", "便携折叠"), ("Washable Cotton", "可洗纯棉")],
                "size",
                ["50 x 70 cm", "70 x 120 cm"],
                (39, 79),
                (
                    "Waterproof yet breathable with a soft top layer; machine washable and quick to dry.",
                    "防水又透气，表层亲肤柔软；可机洗，干得快。",
                ),
                weight=(150, 500),
                dims=(300, 250, 50),
                step=0.4,
            ),
            K(
                "POT",
                f"{BABY} > Potty Training > Potty Seats",
                "392290",
                ("Potty Training Seat", "儿童坐便器"),
                [("Mini Toilet", "仿真马桶"), ("Foldable Travel", "折叠便携"), ("Step-Stool", "带踏凳")],
                "colour",
                [("White", "白色"), ("Blue", "蓝色"), ("Pink", "粉色")],
                (69, 199),
                (
                    "A splash guard and a bowl that lifts out for easy emptying; non-slip feet keep it steady.",
                    "前挡防溅，内桶可抽出方便倾倒清洗；防滑底座稳当不滑动。",
                ),
                weight=(800, 2500),
                dims=(400, 350, 350),
            ),
            K(
                "BWS",
                f"{COSMETICS} > Bath & Body > Body Wash",
                "340130",
                ("Baby Shampoo and Body Wash", "婴儿洗发沐浴二合一"),
                [("Tear-Free", "无泪配方"), ("Oat Soothing", "燕麦舒缓"), ("Chamomile", "洋甘菊")],
                "capacity",
                ["200ml", "400ml"],
                (49, 79),
                (
                    "A mild, tear-free wash for hair and body, pH-balanced for delicate skin; rinses off without "
                    "residue.",
                    "温和无泪配方，洗发沐浴一瓶搞定；弱酸性贴合宝宝娇嫩肌肤，易冲洗无残留。",
                ),
                weight=(250, 480),
                dims=(70, 50, 190),
                step=0.6,
            ),
        ),
    ),
    Shop(
        username="shop4",
        slug="ruoshui-beauty",
        name="若水颜美妆",
        email="beauty@ruoshui.example",
        brands=(("RS", "Ruoshui", "若水颜"), ("TY", "Taoyao", "桃夭"), ("QC", "Celadon Skin", "青瓷肌")),
        promise=(
            "Genuine goods with batch codes you can check; free samples with every order.",
            "正品可查批次码，每单随赠小样。",
        ),
        origins=("CN",),
        kinds=(
            K(
                "CLN",
                f"{SKIN} > Facial Cleansers",
                "340130",
                ("Facial Cleanser", "洁面乳"),
                [("Amino Acid Gentle", "氨基酸温和"), ("Rice Enzyme", "大米酵素"), ("Oil-Control", "控油")],
                "weight",
                ["100g", "150g"],
                (59, 119),
                (
                    "Amino-acid surfactants lift dirt and sunscreen without a tight, dry feeling; suitable for "
                    "sensitive skin.",
                    "氨基酸表活清洁污垢与防晒，洗后不紧绷；敏感肌可用。",
                ),
                weight=(130, 200),
                dims=(50, 40, 170),
                step=0.3,
            ),
            K(
                "TON",
                f"{SKIN} > Toners & Astringents > Toners",
                "330499",
                ("Toner", "爽肤水"),
                [
                    ("Hyaluronic Hydrating", "玻尿酸补水"),
                    ("Green Tea Balancing", "绿茶平衡"),
                    ("Fermented Rice", "米发酵"),
                ],
                "capacity",
                ["150ml", "250ml"],
                (89, 199),
                (
                    "Light layers of hydration that sink in at once and prepare the skin for serum; alcohol-free.",
                    "轻薄水润，一拍即吸收，为后续精华打底；不含酒精。",
                ),
                weight=(200, 330),
                dims=(60, 60, 170),
                step=0.4,
            ),
            K(
                "CRM",
                f"{SKIN} > Lotion & Moisturizer",
                "330499",
                ("Moisturising Cream", "面霜"),
                [
                    ("Ceramide Repair", "神经酰胺修护"),
                    ("Snow Lotus Brightening", "雪莲亮肤"),
                    ("Peptide Firming", "多肽紧致"),
                ],
                "weight",
                ["30g", "50g"],
                (129, 359),
                (
                    "A rich but non-greasy cream that repairs the skin barrier overnight; dermatologist-tested.",
                    "滋润不油腻，夜间修护肌肤屏障；经皮肤科测试。",
                ),
                weight=(100, 200),
                dims=(70, 70, 70),
                step=0.5,
            ),
            K(
                "SER",
                f"{SKIN} > Lotion & Moisturizer",
                "330499",
                ("Serum", "精华液"),
                [("Niacinamide", "烟酰胺"), ("Vitamin C", "维C"), ("Ginseng", "人参")],
                "capacity",
                ["30ml", "50ml"],
                (159, 399),
                (
                    "A concentrated serum that absorbs in seconds; use morning and evening after toner.",
                    "高浓度精华，几秒即可吸收；早晚爽肤水后使用。",
                ),
                weight=(90, 160),
                dims=(40, 40, 120),
                step=0.5,
            ),
            K(
                "MSK",
                f"{SKIN} > Skin Care Masks & Peels",
                "330499",
                ("Sheet Masks", "面膜"),
                [
                    ("Hyaluronic Hydrating", "玻尿酸补水"),
                    ("Soothing Centella", "积雪草舒缓"),
                    ("Pearl Brightening", "珍珠亮白"),
                ],
                "pack",
                [("5 sheets", "5片装"), ("10 sheets", "10片装")],
                (59, 99),
                (
                    "Soft silk-fibre sheets soaked in essence; fifteen minutes leaves the skin plump and calm.",
                    "蚕丝膜布饱含精华，敷十五分钟，肌肤饱满水润、平静舒缓。",
                ),
                weight=(150, 300),
                dims=(180, 120, 40),
                step=0.7,
            ),
            K(
                "SUN",
                f"{SKIN} > Sunscreen",
                "330499",
                ("Sunscreen SPF50+ PA++++", "防晒乳 SPF50+ PA++++"),
                [("Light Fluid", "轻透"), ("Mineral Baby", "儿童物理"), ("Waterproof Sport", "防水运动")],
                "capacity",
                ["30ml", "50ml"],
                (79, 169),
                (
                    "Broad-spectrum UVA/UVB protection in a light texture that leaves no white cast; reapply every "
                    "two hours outdoors.",
                    "广谱防护UVA/UVB，质地轻薄不泛白；户外建议每两小时补涂。",
                ),
                weight=(50, 100),
                dims=(40, 30, 130),
                step=0.4,
            ),
            K(
                "LIP",
                f"{MAKEUP} > Lip Makeup > Lipstick",
                "330410",
                ("Lipstick", "口红"),
                [("Velvet Matte", "丝绒哑光"), ("Moist Glow", "水润光泽"), ("Carved Gift-Box", "雕花礼盒")],
                "shade",
                [
                    ("#01 Rose Nude", "#01 豆沙"),
                    ("#03 Maple", "#03 枫叶红"),
                    ("#05 Peach", "#05 蜜桃"),
                    ("#08 True Red", "#08 正红"),
                ],
                (89, 239),
                (
                    "Rich colour in a single stroke with a comfortable finish that never dries the lips; lasts up "
                    "to eight hours.",
                    "一抹显色，质地舒适不拔干；持妆长达八小时。",
                ),
                weight=(30, 60),
                dims=(25, 25, 90),
            ),
            K(
                "EYE",
                f"{MAKEUP} > Eye Makeup > Eye Shadow",
                "330420",
                ("Eyeshadow Palette", "眼影盘"),
                [("Nine-Colour", "九色"), ("Earth-Tone", "大地色"), ("Shimmer", "珠光")],
                "shade",
                [("Autumn Maple", "秋枫"), ("Rose Garden", "玫瑰园"), ("Sunset", "落日")],
                (99, 269),
                (
                    "Buttery, blendable matte and shimmer shades that build from a soft daytime look to evening.",
                    "粉质细腻易晕染，哑光与珠光搭配，日常淡妆到晚间浓妆都能画。",
                ),
                weight=(80, 200),
                dims=(120, 100, 15),
            ),
            K(
                "FND",
                f"{MAKEUP} > Face Makeup > Foundations & Concealers",
                "330499",
                ("Foundation", "粉底液"),
                [("Long-Wear", "持妆"), ("Dewy Glow", "水光"), ("Oil-Control Matte", "控油哑光")],
                "shade",
                [("Ivory", "象牙白"), ("Natural", "自然色"), ("Warm Beige", "暖米色")],
                (149, 369),
                (
                    "Medium, buildable coverage that evens the tone without looking heavy; stays put through a "
                    "humid day.",
                    "中等遮瑕可叠加，匀净肤色不厚重；潮湿天气也不易脱妆。",
                ),
                weight=(60, 120),
                dims=(40, 40, 130),
            ),
            K(
                "MSC",
                f"{MAKEUP} > Eye Makeup > Mascara",
                "330420",
                ("Mascara", "睫毛膏"),
                [("Lengthening Curl", "纤长卷翘"), ("Waterproof", "防水"), ("Volume", "浓密")],
                "colour",
                [("Black", "黑色"), ("Brown", "棕色")],
                (69, 149),
                (
                    "A fine brush coats every lash from root to tip; smudge-proof all day and removed with warm water.",
                    "细刷头根根刷到；全天不晕染，温水即可卸除。",
                ),
                weight=(20, 50),
                dims=(20, 20, 140),
            ),
            K(
                "BRS",
                f"{COSMETICS} > Cosmetic Tools > Makeup Tools > Makeup Brushes",
                "960329",
                ("Makeup Brush Set", "化妆刷套装"),
                [("Vegan Fibre", "纤维毛"), ("Travel", "便携"), ("Studio", "专业")],
                "set",
                [("5 brushes", "5支装"), ("12 brushes", "12支装")],
                (69, 199),
                (
                    "Soft, dense synthetic bristles pick up and blend powder, cream and liquid evenly; comes in a "
                    "zip case.",
                    "柔软致密的纤维刷毛，粉状、膏状、液体都能均匀上妆；附拉链收纳包。",
                ),
                weight=(100, 350),
                dims=(200, 80, 40),
                step=0.8,
            ),
            K(
                "NAI",
                f"{COSMETICS} > Nail Care > Nail Polishes",
                "330430",
                ("Nail Polish", "指甲油"),
                [("Quick-Dry", "速干"), ("Peel-Off", "可撕拉"), ("Gel-Effect", "凝胶感")],
                "shade",
                [("Milk Tea", "奶茶色"), ("Cherry", "樱桃红"), ("Sea-Salt Blue", "海盐蓝"), ("Nude Pink", "裸粉")],
                (29, 69),
                (
                    "Glossy, even colour in two coats that dries in about a minute; water-based and low-odour.",
                    "两层即可均匀饱满，约一分钟快干；水性配方，气味很淡。",
                ),
                weight=(30, 60),
                dims=(30, 30, 80),
            ),
            K(
                "SHP",
                "Health & Beauty > Personal Care > Hair Care > Shampoo & Conditioner",
                "330510",
                ("Shampoo", "洗发水"),
                [
                    ("Ginger Strengthening", "生姜固发"),
                    ("Silicone-Free Volume", "无硅油蓬松"),
                    ("Camellia Repair", "山茶花修护"),
                ],
                "capacity",
                ["300ml", "500ml"],
                (59, 119),
                (
                    "Cleans the scalp thoroughly and leaves hair soft, with a fresh, light scent.",
                    "深层清洁头皮，洗后秀发柔顺；香气清新淡雅。",
                ),
                weight=(350, 600),
                dims=(80, 60, 220),
                step=0.4,
            ),
            K(
                "RMV",
                f"{SKIN} > Makeup Removers",
                "330499",
                ("{line}", "{line}"),
                [("Micellar Cleansing Water", "胶束卸妆水"), ("Cleansing Oil", "卸妆油"), ("Cleansing Balm", "卸妆膏")],
                "capacity",
                ["150ml", "400ml"],
                (69, 139),
                (
                    "Melts long-wear makeup and sunscreen in one pass, then rinses clean without a greasy film.",
                    "一次轻松溶解持妆彩妆与防晒，冲洗后不留油膜。",
                ),
                weight=(180, 450),
                dims=(70, 60, 180),
                step=0.6,
            ),
        ),
    ),
)

# --- us: Trailhead Goods, outdoor and kitchen (USD) ------------------------------------------------

CAMPING = "Sporting Goods > Outdoor Recreation > Camping & Hiking"
CLIMBING = "Sporting Goods > Outdoor Recreation > Climbing"
KITCHEN = "Home & Garden > Kitchen & Dining"
COOKWARE = f"{KITCHEN} > Cookware & Bakeware > Cookware"
TOOLS = f"{KITCHEN} > Kitchen Tools & Utensils"
APPLIANCES = f"{KITCHEN} > Kitchen Appliances"
CARRIERS = f"{KITCHEN} > Food & Beverage Carriers"
PAN_SIZES = ("8 in / 20 cm", "10 in / 26 cm", "12 in / 30 cm")
PERSONS = (("1-person", "单人"), ("2-person", "双人"), ("3-person", "三人"), ("4-person", "四人"))

US_SHOPS = (
    Shop(
        username="shop1",
        slug="switchback-outfitters",
        name="Switchback Outfitters",
        email="crew@switchback.example",
        brands=(("SW", "Switchback", "Switchback"), ("TG", "Tallgrass Trail Co.", "Tallgrass Trail Co.")),
        promise=(
            "Ships in 1-2 business days; 30-day returns, even if it has been out on the trail.",
            "1-2个工作日内发货；30天无忧退货，用过也可以退。",
        ),
        origins=("VN", "CN"),
        kinds=(
            K(
                "TNT",
                f"{CAMPING} > Tents",
                "630622",
                ("Tent", "帐篷"),
                [
                    ("Ultralight Freestanding", "超轻自立式"),
                    ("Three-Season Dome", "三季穹顶"),
                    ("Four-Season Mountaineering", "四季高山"),
                    ("Family Cabin", "家庭屋式"),
                ],
                "capacity",
                PERSONS,
                (129, 349),
                (
                    "Colour-coded aluminium poles pitch in minutes; a bathtub floor, taped seams and a full-coverage "
                    "fly shed real storms. Two doors, two vestibules.",
                    "彩色标记铝合金帐杆，几分钟即可搭好；浴盆式底布、压胶接缝与全覆盖外帐，能扛真正的风雨。双门双前厅。",
                ),
                weight=(1100, 4500),
                dims=(500, 180, 180),
                step=0.2,
            ),
            K(
                "SLB",
                f"{CAMPING} > Sleeping Bags",
                "940430",
                ("Sleeping Bag", "睡袋"),
                [
                    ("800-Fill Down 20°F", "800蓬羽绒 -7°C"),
                    ("Synthetic 30°F", "化纤 -1°C"),
                    ("Ultralight Quilt 40°F", "超轻被式 4°C"),
                ],
                "length",
                [("Regular", "标准"), ("Long", "加长")],
                (99, 399),
                (
                    "Certified responsible down or water-resistant synthetic fill, a draft collar and a snag-free "
                    "zipper; packs into the included stuff sack.",
                    "RDS认证羽绒或防泼水化纤填充，防风颈围与防夹拉链；可收进随附收纳袋。",
                ),
                weight=(600, 1800),
                dims=(350, 200, 200),
                step=0.1,
            ),
            K(
                "PAD",
                f"{CAMPING} > Sleeping Pads",
                "630640",
                ("Sleeping Pad", "睡垫"),
                [("Insulated R-4.2", "保温R值4.2"), ("Self-Inflating", "自动充气"), ("Closed-Cell Foam", "蛋巢泡沫")],
                "size",
                [("Regular", "标准"), ("Long Wide", "加长加宽")],
                (49, 179),
                (
                    "Baffled construction for stable, quiet sleep on uneven ground; inflates in a few breaths with "
                    "the pump sack.",
                    "分区气室结构，不平地面上也睡得稳又安静；配合充气袋几口气即可充满。",
                ),
                weight=(400, 1200),
                dims=(280, 120, 120),
                step=0.2,
            ),
            K(
                "AIR",
                f"{CAMPING} > Camp Furniture > Air Mattresses",
                "630640",
                ("Air Mattress", "充气床垫"),
                [("Built-In Pump Double-High", "内置电泵加高"), ("Car Camping", "自驾露营"), ("Flocked-Top", "植绒面")],
                "size",
                [("Twin", "单人"), ("Queen", "双人")],
                (59, 159),
                (
                    "Inflates in about three minutes with the built-in pump and stays firm all night; the flocked "
                    "top keeps sheets from sliding.",
                    "内置电泵约三分钟充满，整夜不漏气；植绒表面，床单不易滑动。",
                ),
                weight=(3000, 7000),
                dims=(380, 300, 200),
                step=0.3,
            ),
            K(
                "LAN",
                f"{CAMPING} > Camping Lights & Lanterns",
                "851310",
                ("Camping Lantern", "露营灯"),
                [("Rechargeable LED", "充电式LED"), ("Solar Collapsible", "太阳能折叠"), ("Vintage-Style", "复古")],
                "colour",
                [("Olive", "橄榄绿"), ("Sand", "沙色"), ("Blaze Orange", "橙色")],
                (24, 69),
                (
                    "Warm-to-cool dimming, up to 60 hours on low, and a USB-C port that doubles as a phone power bank.",
                    "冷暖光无级调节，低亮度可用60小时；USB-C接口还能给手机应急充电。",
                ),
                weight=(200, 600),
                dims=(120, 120, 200),
            ),
            K(
                "CKS",
                f"{CAMPING} > Camping Cookware & Dinnerware",
                "761510",
                ("Camp Cook Set", "户外炊具套装"),
                [("Hard-Anodised Aluminium", "硬质氧化铝"), ("Titanium", "钛"), ("Nesting Family", "家庭叠放")],
                "set",
                [("2-person", "2人套"), ("4-person", "4人套")],
                (29, 109),
                (
                    "Pot, pan, bowls and a folding spork nest into one compact bundle; the handles lock and the lid "
                    "has a built-in strainer.",
                    "锅、煎盘、碗和折叠叉勺可层层收纳成一套；锁定式手柄，锅盖自带滤水孔。",
                ),
                weight=(300, 1500),
                dims=(200, 200, 150),
                step=0.5,
            ),
            K(
                "FTP",
                f"{CAMPING} > Tent Accessories > Tent Footprints",
                "630622",
                ("Tent Footprint", "帐篷地布"),
                [
                    ("Ripstop Nylon", "防撕裂尼龙"),
                    ("Ultralight Polycryo", "超轻聚乙烯"),
                    ("Heavy-Duty Oxford", "加厚牛津布"),
                ],
                "capacity",
                PERSONS[:3],
                (24, 49),
                (
                    "Protects the tent floor from rocks and roots and adds a waterproof layer; the grommets clip to "
                    "the tent poles.",
                    "保护帐篷底部免受石块和树根磨损，多一层防水；金属扣眼可直接扣在帐杆上。",
                ),
                weight=(150, 500),
                dims=(200, 120, 60),
                step=0.2,
            ),
            K(
                "COT",
                f"{CAMPING} > Camp Furniture > Cots",
                "940320",
                ("Camp Cot", "折叠行军床"),
                [("Ultralight", "超轻"), ("Oversized", "加大"), ("Bunk-Ready", "可叠床")],
                "colour",
                [("Olive", "军绿"), ("Slate Grey", "灰色")],
                (89, 199),
                (
                    "Sets up in under a minute and keeps you off cold, damp ground; holds up to 300 lb.",
                    "一分钟内展开，远离冰冷潮湿的地面；承重约136公斤。",
                ),
                weight=(2000, 9000),
                dims=(900, 200, 200),
            ),
            K(
                "CMP",
                f"{CAMPING} > Compression Sacks",
                "420292",
                ("Compression Stuff Sack", "压缩收纳袋"),
                [
                    ("Waterproof Roll-Top", "防水卷口"),
                    ("Ultralight Silnylon", "超轻硅尼龙"),
                    ("Mesh-Vented", "透气网布"),
                ],
                "volume",
                ["10L", "20L", "35L"],
                (15, 29),
                (
                    "Four compression straps shrink a sleeping bag or a puffy to half its size; the base is "
                    "reinforced against abrasion.",
                    "四条压缩带可把睡袋或羽绒服压到一半大小；底部加强耐磨。",
                ),
                weight=(60, 200),
                dims=(200, 120, 60),
                step=0.3,
            ),
            K(
                "FLT",
                f"{CAMPING} > Portable Water Filters & Purifiers",
                "842121",
                ("Water Filter", "户外净水器"),
                [("Squeeze", "挤压式"), ("Gravity 4 L", "重力式4升"), ("Straw", "吸管式")],
                "edition",
                [("Standard", "标准款")],
                (29, 109),
                (
                    "A hollow-fibre membrane removes 99.99999% of bacteria and 99.9999% of protozoa; rated for "
                    "100,000 gallons and backflushes clean.",
                    "中空纤维膜可去除99.99999%的细菌和99.9999%的原生动物；可过滤约38万升，反冲洗即可恢复流速。",
                ),
                weight=(80, 400),
                dims=(150, 80, 60),
            ),
        ),
    ),
    Shop(
        username="shop2",
        slug="cairnline-trail",
        name="Cairnline Trail Co.",
        email="help@cairnline.example",
        brands=(("CL", "Cairnline", "Cairnline"), ("KR", "Kestrel Ridge", "Kestrel Ridge")),
        promise=(
            "Gear checked by climbers before it ships; free exchanges on sizes.",
            "每件装备发货前由攀岩爱好者检查；尺码免费换。",
        ),
        origins=("US", "VN", "CN"),
        kinds=(
            K(
                "POL",
                f"{CAMPING} > Hiking Poles",
                "950699",
                ("Trekking Poles (Pair)", "登山杖（一对）"),
                [
                    ("Carbon Fibre Folding", "碳纤维折叠"),
                    ("Aluminium Flick-Lock", "铝合金外锁"),
                    ("Cork-Grip", "软木手柄"),
                ],
                "colour",
                [("Black", "黑色"), ("Glacier Blue", "冰川蓝"), ("Ember Orange", "橙色")],
                (39, 149),
                (
                    "Shock-absorbing tips and moisture-wicking grips; adjusts from 110 to 135 cm with quick external "
                    "locks.",
                    "减震杖尖、吸汗手柄；外锁快速调节，长度110至135厘米。",
                ),
                weight=(400, 600),
                dims=(650, 80, 80),
            ),
            K(
                "CPS",
                f"{CAMPING} > Navigational Compasses",
                "901410",
                ("Compass", "指南针"),
                [("Baseplate", "底板式"), ("Sighting-Mirror", "反光镜瞄准"), ("Lensatic", "透镜式")],
                "edition",
                [("Standard", "标准款")],
                (14, 54),
                (
                    "Adjustable declination, a liquid-damped needle and a luminous bezel for navigation after dark.",
                    "可调磁偏角，液体阻尼磁针，夜光刻度圈，天黑后也能辨向。",
                ),
                weight=(40, 150),
                dims=(120, 70, 20),
            ),
            K(
                "CRB",
                f"{CLIMBING} > Carabiners",
                "761699",
                ("Carabiner", "登山扣"),
                [("Locking Screwgate", "丝扣主锁"), ("Wiregate", "钢丝门"), ("Auto-Locking HMS", "自动锁HMS")],
                "pack",
                [("Single", "单只"), ("Pack of 4", "4只装")],
                (9, 24),
                (
                    "Cold-forged aluminium rated to 24 kN along the major axis, with a keylock nose that does not "
                    "snag on gear.",
                    "冷锻铝合金，主轴强度24千牛；无齿钩门设计，不勾挂装备。",
                ),
                weight=(40, 200),
                dims=(110, 60, 20),
                step=2.2,
            ),
            K(
                "ROP",
                f"{CLIMBING} > Climbing Rope",
                "560750",
                ("Dynamic Climbing Rope", "动力绳"),
                [
                    ("9.8 mm All-Round", "9.8毫米全能"),
                    ("9.2 mm Dry-Treated", "9.2毫米防水处理"),
                    ("10.2 mm Gym", "10.2毫米岩馆"),
                ],
                "length",
                ["40m", "60m", "70m"],
                (119, 219),
                (
                    "A UIAA-certified single rope with a middle mark and a hard-wearing sheath; the dry treatment "
                    "sheds water and grit.",
                    "UIAA认证单绳，中点标记，护皮耐磨；防水处理，不易吸水沾沙。",
                ),
                weight=(2500, 4800),
                dims=(400, 400, 150),
                step=0.2,
                origins=("US", "CZ", "DE"),
            ),
            K(
                "HRN",
                f"{CLIMBING} > Climbing Harnesses",
                "950699",
                ("Climbing Harness", "攀岩安全带"),
                [("Sport", "运动攀"), ("Alpine Lightweight", "高山轻量"), ("Adjustable Trad", "可调传统攀")],
                "size",
                ["S", "M", "L", "XL"],
                (59, 129),
                (
                    "Split-webbing waist belt and leg loops spread the load comfortably; four gear loops and a haul "
                    "loop.",
                    "分叉织带腰带与腿环，受力分散更舒适；四个装备环加一个拖拽环。",
                ),
                weight=(300, 500),
                dims=(250, 200, 100),
            ),
            K(
                "CHK",
                f"{CLIMBING} > Climbing Chalk Bags",
                "420292",
                ("Chalk Bag", "镁粉袋"),
                [("Bouldering Bucket", "抱石桶式"), ("Drawstring", "抽绳"), ("Belt-Mounted", "腰挂")],
                "colour",
                [("Teal", "青绿"), ("Rust", "铁锈红"), ("Black", "黑色")],
                (15, 34),
                (
                    "A fleece lining holds just the right amount of chalk; the stiff rim stays open and a loop keeps "
                    "your brush handy.",
                    "抓绒内衬挂粉均匀；硬质开口不塌陷，侧边刷环随手放刷子。",
                ),
                weight=(80, 250),
                dims=(200, 150, 150),
            ),
            K(
                "BLY",
                f"{CLIMBING} > Belay Devices",
                "761699",
                ("Belay Device", "保护器"),
                [("Assisted-Braking", "辅助制动"), ("Tube-Style", "管式"), ("Guide-Mode", "双绳保护")],
                "colour",
                [("Grey", "灰色"), ("Red", "红色")],
                (24, 109),
                (
                    "Smooth rope handling for lead and top-rope belaying; works with single ropes from 8.9 to 11 mm.",
                    "先锋与顶绳保护出绳顺滑，适用于8.9至11毫米单绳。",
                ),
                weight=(60, 220),
                dims=(100, 70, 40),
                origins=("US", "DE"),
            ),
            K(
                "RNJ",
                "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets",
                "620140",
                ("Rain Jacket", "冲锋衣"),
                [("3-Layer Waterproof", "三层防水"), ("Packable 2.5-Layer", "可收纳2.5层"), ("Insulated", "保暖")],
                "size",
                ["S", "M", "L", "XL"],
                (89, 299),
                (
                    "A waterproof, breathable membrane with fully taped seams, pit zips for venting and a "
                    "helmet-compatible hood.",
                    "防水透气面料，全压胶接缝；腋下拉链散热，兼容头盔的帽子。",
                ),
                weight=(250, 700),
                dims=(300, 250, 60),
            ),
            K(
                "BOT",
                "Apparel & Accessories > Shoes",
                "640419",
                ("Hiking Boots", "徒步鞋"),
                [("Waterproof Mid", "防水中帮"), ("Lightweight Trail", "轻量越野"), ("Backpacking", "重装")],
                "size",
                ["US 8", "US 9", "US 10", "US 11"],
                (99, 219),
                (
                    "A grippy lugged outsole, a cushioned midsole and a waterproof membrane; comfortable straight "
                    "out of the box.",
                    "深齿防滑大底、缓震中底与防水内膜；上脚即合脚，无需磨合。",
                ),
                weight=(900, 1500),
                dims=(330, 220, 130),
            ),
            K(
                "MTL",
                f"{CAMPING} > Camping Tools > Multifunction Tools & Knives",
                "821193",
                ("Multitool", "多功能工具钳"),
                [("14-in-1", "14合1"), ("Keychain", "钥匙扣"), ("Full-Size Locking", "全尺寸锁定")],
                "finish",
                [("Stainless", "不锈钢色"), ("Black Oxide", "黑色氧化")],
                (29, 109),
                (
                    "Pliers, wire cutters, a locking blade, screwdrivers and a bottle opener in one tool, each "
                    "reachable with one hand.",
                    "钳子、剪线钳、锁定刀片、螺丝刀与开瓶器集于一身，单手即可打开。",
                ),
                weight=(60, 280),
                dims=(120, 40, 25),
            ),
            K(
                "KNF",
                f"{CAMPING} > Camping Tools > Hunting & Survival Knives",
                "821192",
                ("Fixed-Blade Knife", "户外直刀"),
                [("Bushcraft", "丛林"), ("Compact Neck", "迷你颈刀"), ("Full-Tang Survival", "全龙骨求生")],
                "colour",
                [("Black", "黑色"), ("Olive", "橄榄绿")],
                (39, 139),
                (
                    "A high-carbon steel blade with a spine ground for ferro rods, a grippy handle and a sheath with "
                    "a belt clip.",
                    "高碳钢刀身，刀背可刮打火棒；防滑手柄，附带腰挂刀鞘。",
                ),
                weight=(80, 350),
                dims=(260, 60, 30),
            ),
            K(
                "WRM",
                f"{CAMPING} > Chemical Hand Warmers",
                "382499",
                ("Hand Warmers", "暖手贴"),
                [("10-Hour", "10小时长效"), ("Air-Activated", "遇空气自发热"), ("Pocket-Size", "口袋装")],
                "pack",
                [("10 pairs", "10对装"), ("40 pairs", "40对装")],
                (9, 14),
                (
                    "Just open and shake: natural iron-powder heat for up to ten hours, odourless and made for "
                    "skiing, hunting and winter camping.",
                    "拆开摇一摇即可发热；天然铁粉，持续长达十小时，无异味，滑雪、冬季露营都适用。",
                ),
                weight=(300, 1200),
                dims=(200, 150, 100),
                step=2.0,
                origins=("US", "CN"),
            ),
            K(
                "BUG",
                f"{SKIN} > Skin Insect Repellent",
                "380891",
                ("Insect Repellent", "驱蚊液"),
                [("Picaridin 20%", "派卡瑞丁20%"), ("Lemon Eucalyptus", "柠檬桉叶"), ("Kids' Gentle", "儿童温和")],
                "capacity",
                ["88ml", "177ml"],
                (7, 14),
                (
                    "Repels mosquitoes and ticks for up to 12 hours without a greasy feel; safe on gear and "
                    "synthetic fabrics.",
                    "长效驱蚊防蜱，最长12小时，不油腻；不损伤装备与化纤面料。",
                ),
                weight=(100, 220),
                dims=(50, 40, 160),
                step=0.6,
                origins=("US",),
            ),
        ),
    ),
    Shop(
        username="shop3",
        slug="ember-and-oak",
        name="Ember & Oak Kitchen",
        email="orders@emberoak.example",
        brands=(("EO", "Ember & Oak", "Ember & Oak"), ("PF", "Prairie Forge", "Prairie Forge")),
        promise=(
            "Lifetime warranty on every pan and knife; free sharpening by mail.",
            "每口锅、每把刀终身质保；邮寄免费磨刀服务。",
        ),
        origins=("US", "CN"),
        kinds=(
            K(
                "SKL",
                f"{COOKWARE} > Skillets & Frying Pans",
                "732391",
                ("Cast Iron Skillet", "铸铁煎锅"),
                [("Pre-Seasoned", "已开锅"), ("Smooth-Polished", "抛光内壁"), ("Double-Handle", "双耳")],
                "size",
                PAN_SIZES,
                (24, 69),
                (
                    "Seasoned with vegetable oil and ready to use; it holds heat for an even sear and goes from "
                    "stovetop to oven to campfire.",
                    "植物油预开锅，拆箱即用；蓄热均匀，煎牛排上色漂亮，炉灶、烤箱、篝火都能用。",
                ),
                weight=(1800, 3600),
                dims=(400, 280, 60),
                step=0.3,
            ),
            K(
                "NSP",
                f"{COOKWARE} > Skillets & Frying Pans",
                "761510",
                ("Nonstick Frying Pan", "不粘煎锅"),
                [("Ceramic", "陶瓷涂层"), ("Hard-Anodised", "硬质氧化"), ("Induction-Ready", "电磁炉通用")],
                "size",
                PAN_SIZES,
                (29, 79),
                (
                    "PFOA-free nonstick that releases eggs without oil, a stay-cool handle and a base that works on "
                    "induction.",
                    "不含PFOA的不粘涂层，煎蛋无需放油；防烫手柄，电磁炉可用。",
                ),
                weight=(700, 1400),
                dims=(450, 280, 60),
                step=0.3,
            ),
            K(
                "DTC",
                f"{COOKWARE} > Dutch Ovens",
                "732392",
                ("Enamelled Dutch Oven", "珐琅铸铁锅"),
                [("Round", "圆形"), ("Oval", "椭圆"), ("Shallow Braiser", "浅身")],
                "capacity",
                ["3.5 qt", "5.5 qt", "7 qt"],
                (79, 249),
                (
                    "Chip-resistant enamel inside and out, a tight lid that bastes as it cooks, and oven-safe to "
                    "500 °F.",
                    "内外珐琅耐磕碰，锅盖密合自循环锁水，烤箱可耐260°C高温。",
                ),
                weight=(3500, 6500),
                dims=(330, 280, 180),
                step=0.2,
                origins=("CN", "FR"),
            ),
            K(
                "SCP",
                f"{COOKWARE} > Saucepans",
                "732393",
                ("Saucepan with Lid", "带盖奶锅"),
                [("Tri-Ply Stainless", "三层复底不锈钢"), ("Copper-Core", "铜芯"), ("Pour-Spout", "双侧倒口")],
                "capacity",
                ["1.5 qt", "2 qt", "3 qt"],
                (39, 119),
                (
                    "Fully clad tri-ply heats evenly up the sides, with measurement marks inside and a flared rim "
                    "for drip-free pouring.",
                    "全复合三层钢，锅壁同样受热均匀；内壁刻度，卷边锅口倒汤不滴漏。",
                ),
                weight=(900, 1800),
                dims=(380, 200, 130),
                step=0.15,
            ),
            K(
                "STP",
                f"{COOKWARE} > Stock Pots",
                "732393",
                ("Stock Pot", "汤锅"),
                [("Tri-Ply Stainless", "三层复底不锈钢"), ("Pasta Insert", "带沥面篮"), ("Canning", "罐装")],
                "capacity",
                ["8 qt", "12 qt", "16 qt"],
                (49, 139),
                (
                    "A generous, tall pot for stock, chili and pasta, with riveted handles and a heavy base that "
                    "will not scorch.",
                    "高身大容量，炖高汤、煮意面都合适；铆钉手柄牢固，厚底不易糊锅。",
                ),
                weight=(2000, 4000),
                dims=(330, 330, 250),
                step=0.2,
            ),
            K(
                "WOK",
                f"{COOKWARE} > Woks",
                "732399",
                ("Carbon Steel Wok", "碳钢炒锅"),
                [("Hand-Hammered", "手工锻打"), ("Flat-Bottom", "平底"), ("Pre-Seasoned", "已开锅")],
                "size",
                ["12 in / 30 cm", "14 in / 36 cm"],
                (39, 89),
                (
                    "Thin carbon steel heats fast for a true stir-fry; a wooden helper handle, and it works on gas, "
                    "electric and induction.",
                    "薄碳钢升温快，爆炒更有锅气；木质辅助手柄，燃气、电炉、电磁炉通用。",
                ),
                weight=(1200, 2200),
                dims=(450, 370, 120),
                step=0.25,
            ),
            K(
                "SET",
                f"{COOKWARE} > Cookware Sets",
                "732393",
                ("Cookware Set", "锅具套装"),
                [("Stainless Steel", "不锈钢"), ("Ceramic Nonstick", "陶瓷不粘"), ("Stackable", "可叠放")],
                "set",
                [("5-piece", "5件套"), ("10-piece", "10件套")],
                (149, 399),
                (
                    "Everything a home kitchen reaches for daily: skillets, saucepans, a sauté pan and a stock pot, "
                    "all dishwasher- and oven-safe.",
                    "日常做饭所需一应俱全：煎锅、奶锅、深煎锅与汤锅，均可进洗碗机和烤箱。",
                ),
                weight=(6000, 12000),
                dims=(560, 320, 300),
                step=0.6,
            ),
            K(
                "KNV",
                f"{TOOLS} > Kitchen Knives",
                "821192",
                ("Chef's Knife", "主厨刀"),
                [("Damascus", "大马士革"), ("German Steel", "德国钢"), ("Japanese Gyuto", "日式牛刀")],
                "blade",
                ["6 in", "8 in", "10 in"],
                (39, 169),
                (
                    "Hand-sharpened to a 15° edge, with a full tang and a balanced grip for long prep sessions; hand "
                    "wash and dry.",
                    "手工开刃15°，全龙骨结构，手柄配重均衡，久切不累；请手洗擦干。",
                ),
                weight=(150, 350),
                dims=(380, 60, 30),
                step=0.25,
                origins=("US", "JP", "DE", "CN"),
            ),
            K(
                "CAK",
                f"{KITCHEN} > Cookware & Bakeware > Bakeware > Cake Pans & Molds",
                "732399",
                ("Cake Pan", "蛋糕模"),
                [("Springform", "活底"), ("Round Nonstick", "圆形不粘"), ("Bundt", "中空咕咕霍夫")],
                "size",
                ["8 in", "9 in"],
                (14, 34),
                (
                    "Heavy-gauge steel for even browning and a nonstick coating that lets cakes release cleanly.",
                    "厚实钢材，烘烤上色均匀；不粘涂层，蛋糕轻松脱模。",
                ),
                weight=(400, 900),
                dims=(260, 260, 80),
                step=0.15,
            ),
            K(
                "SHT",
                f"{KITCHEN} > Cookware & Bakeware > Bakeware > Baking & Cookie Sheets",
                "732399",
                ("Baking Sheet", "烤盘"),
                [("Half-Sheet", "半尺寸"), ("Rimmed Nonstick", "卷边不粘"), ("Perforated", "带孔")],
                "pack",
                [("Single", "单个"), ("2-pack", "2个装")],
                (14, 29),
                (
                    "Warp-resistant rolled rims and a surface that browns cookies and roast vegetables evenly.",
                    "卷边防变形，烤饼干和烤蔬菜都能均匀上色。",
                ),
                weight=(500, 1400),
                dims=(460, 330, 30),
                step=0.6,
            ),
            K(
                "BRD",
                f"{TOOLS} > Cutting Boards",
                "441990",
                ("Cutting Board", "砧板"),
                [
                    ("End-Grain Walnut", "胡桃木端面"),
                    ("Maple Edge-Grain", "枫木"),
                    ("Juice-Groove Acacia", "相思木导流槽"),
                ],
                "size",
                [("Small", "小号"), ("Medium", "中号"), ("Large", "大号")],
                (24, 109),
                (
                    "Kind to knife edges, with a juice groove and rubber feet; finished with food-safe mineral oil "
                    "and beeswax.",
                    "护刀不伤刃，带导流槽与防滑脚垫；表面以食品级矿物油和蜂蜡保养。",
                ),
                weight=(800, 3500),
                dims=(450, 300, 40),
                step=0.35,
                origins=("US",),
            ),
        ),
    ),
    Shop(
        username="shop4",
        slug="northfork-home",
        name="Northfork Home Goods",
        email="support@northfork.example",
        brands=(("NF", "Northfork", "Northfork"), ("LK", "Larkspur Kitchen", "Larkspur Kitchen")),
        promise=(
            "Free shipping over $35; a real person answers every email within a day.",
            "满35美元包邮；每封邮件一天内由真人回复。",
        ),
        origins=("CN", "US"),
        kinds=(
            K(
                "SPT",
                f"{TOOLS} > Spatulas",
                "392410",
                ("Silicone Spatula Set", "硅胶铲套装"),
                [("Heat-Resistant", "耐高温"), ("One-Piece", "一体式"), ("Slim Jar", "窄头刮刀")],
                "set",
                [("3-piece", "3件套"), ("5-piece", "5件套")],
                (9, 24),
                (
                    "Seamless food-grade silicone safe to 600 °F, stiff enough to scrape and flexible enough to fold "
                    "batter.",
                    "一体成型食品级硅胶，耐热约315°C；既能刮净锅底又能翻拌面糊。",
                ),
                weight=(150, 400),
                dims=(320, 80, 40),
                step=0.6,
            ),
            K(
                "TNG",
                f"{TOOLS} > Tongs",
                "821599",
                ("Kitchen Tongs", "食物夹"),
                [("Locking", "带锁扣"), ("Silicone-Tipped", "硅胶头"), ("Long BBQ", "加长烧烤")],
                "length",
                ["9 in", "12 in", "16 in"],
                (9, 19),
                (
                    "Sturdy stainless tongs with a pull-ring lock and scalloped tips that grip anything from "
                    "asparagus to ribs.",
                    "坚固不锈钢，拉环锁扣收纳方便；波浪夹头，芦笋到排骨都夹得稳。",
                ),
                weight=(120, 300),
                dims=(320, 60, 40),
                step=0.2,
            ),
            K(
                "MSR",
                f"{TOOLS} > Measuring Cups & Spoons",
                "732393",
                ("Measuring Cups and Spoons", "量杯量勺套装"),
                [("Stainless Steel", "不锈钢"), ("Magnetic Nesting", "磁吸叠放"), ("Adjustable", "可调刻度")],
                "set",
                [("8-piece", "8件套"), ("13-piece", "13件套")],
                (12, 29),
                (
                    "Engraved US and metric markings that never wear off; nests tidily in a drawer.",
                    "激光刻印美制与公制刻度，永不磨损；可叠放收纳，不占抽屉。",
                ),
                weight=(250, 600),
                dims=(200, 120, 80),
                step=0.4,
            ),
            K(
                "WSK",
                f"{TOOLS} > Whisks",
                "821599",
                ("Whisk", "打蛋器"),
                [("Balloon", "气球形"), ("Flat Roux", "扁平"), ("Silicone-Coated", "硅胶")],
                "length",
                ["10 in", "12 in"],
                (8, 16),
                (
                    "Fine, springy wires whip cream and egg whites fast, and the sealed handle never traps water.",
                    "细密弹性钢丝，打发奶油和蛋白更快；密封手柄不进水。",
                ),
                weight=(80, 180),
                dims=(310, 70, 70),
                step=0.2,
            ),
            K(
                "GRT",
                f"{TOOLS} > Food Graters & Zesters",
                "820551",
                ("Grater", "擦丝器"),
                [("Rasp Zester", "柠檬刨丝"), ("Four-Sided Box", "四面"), ("Rotary Cheese", "滚筒芝士")],
                "colour",
                [("Black", "黑色"), ("Red", "红色"), ("Sage", "鼠尾草绿")],
                (12, 34),
                (
                    "Razor-sharp etched blades zest, grate and shave with almost no pressure; comes with a blade "
                    "cover.",
                    "光蚀刻刀片锋利，刨皮屑、擦丝、刨片都不费力；附刀片保护套。",
                ),
                weight=(100, 500),
                dims=(300, 80, 60),
            ),
            K(
                "THR",
                f"{CARRIERS} > Thermoses",
                "961700",
                ("Vacuum Insulated {line}", "真空保温{line}"),
                [("Travel Mug", "随行杯"), ("Tumbler with Handle", "把手杯"), ("Food Jar", "焖烧罐")],
                "capacity",
                ["12 oz", "20 oz", "32 oz"],
                (19, 34),
                (
                    "Double-wall vacuum insulation keeps drinks cold for 24 hours and hot for 12, with a leak-proof "
                    "lid and a sweat-free grip.",
                    "双层真空隔热，保冷24小时、保温12小时；防漏杯盖，杯身不挂水珠。",
                ),
                weight=(300, 600),
                dims=(100, 100, 250),
                step=0.2,
            ),
            K(
                "BTL",
                f"{CARRIERS} > Water Bottles",
                "732393",
                ("Water Bottle", "运动水壶"),
                [("Insulated Wide-Mouth", "宽口保温"), ("Chug-Cap", "直饮"), ("Straw-Lid", "吸管盖")],
                "capacity",
                ["24 oz", "32 oz", "40 oz"],
                (19, 34),
                (
                    "18/8 stainless steel with a powder-coat grip; fits most cup holders, and the wide mouth takes "
                    "ice cubes.",
                    "18/8不锈钢，粉末喷涂防滑；适配多数车载杯架，宽口可直接放冰块。",
                ),
                weight=(300, 650),
                dims=(90, 90, 280),
                step=0.15,
            ),
            K(
                "COL",
                f"{CARRIERS} > Coolers",
                "392490",
                ("Cooler", "保温箱"),
                [("Rotomolded Hard", "滚塑硬壳"), ("Wheeled", "拉杆"), ("Marine", "船用")],
                "capacity",
                ["24 qt", "45 qt", "65 qt"],
                (59, 249),
                (
                    "Thick walls and a freezer-grade gasket keep ice for days; bear-resistant latches and a drain "
                    "plug.",
                    "厚壁保温加冷柜级密封条，冰块可保存数天；防熊锁扣，底部带排水塞。",
                ),
                weight=(3000, 14000),
                dims=(600, 400, 400),
                step=0.4,
                origins=("US", "CN"),
            ),
            K(
                "COF",
                f"{APPLIANCES} > Coffee Makers & Espresso Machines",
                "851671",
                ("Coffee Maker", "咖啡机"),
                [("12-Cup Programmable Drip", "12杯可预约滴滤"), ("Single-Serve", "单杯"), ("Espresso", "意式浓缩")],
                "colour",
                [("Black", "黑色"), ("Brushed Steel", "不锈钢色")],
                (49, 249),
                (
                    "Brews at the ideal 195-205 °F with a bloom cycle; programmable start, a thermal carafe and "
                    "auto-off.",
                    "90至96°C理想萃取水温，带闷蒸程序；可预约，保温壶，自动断电。",
                ),
                weight=(2000, 5000),
                dims=(350, 250, 350),
                origins=("CN",),
            ),
            K(
                "KTL",
                f"{APPLIANCES} > Electric Kettles",
                "851679",
                ("Electric Kettle", "电热水壶"),
                [
                    ("Gooseneck Variable-Temperature", "鹅颈控温"),
                    ("Glass", "玻璃"),
                    ("Stainless Cordless", "不锈钢无线"),
                ],
                "colour",
                [("Matte Black", "哑光黑"), ("White", "白色"), ("Copper", "铜色")],
                (29, 89),
                (
                    "Boils a litre in about four minutes; precise presets for green tea, pour-over and baby formula, "
                    "with a keep-warm mode.",
                    "约四分钟烧开一升水；绿茶、手冲咖啡、冲奶粉均有精准温度预设，并可保温。",
                ),
                weight=(900, 1600),
                dims=(250, 170, 250),
                origins=("CN",),
            ),
            K(
                "BLN",
                f"{APPLIANCES} > Food Mixers & Blenders",
                "850940",
                ("Blender", "搅拌机"),
                [("High-Speed Professional", "高速专业"), ("Personal", "便携随行"), ("Immersion", "手持料理棒")],
                "colour",
                [("Black", "黑色"), ("Silver", "银色")],
                (49, 229),
                (
                    "A 1,400-watt motor and hardened blades crush ice and make silky smoothies; the jar is BPA-free "
                    "and dishwasher safe.",
                    "1400瓦电机配硬化刀片，碎冰、打果昔细腻顺滑；杯体不含双酚A，可入洗碗机。",
                ),
                weight=(1500, 5000),
                dims=(250, 220, 450),
                origins=("CN",),
            ),
            K(
                "STV",
                f"{APPLIANCES} > Portable Cooking Stoves",
                "732111",
                ("Camp Stove", "便携炉"),
                [("Two-Burner Propane", "双头丙烷"), ("Backpacking Canister", "气罐式徒步"), ("Wood-Burning", "柴火")],
                "edition",
                [("Standard", "标准款")],
                (39, 149),
                (
                    "Push-button ignition, a simmer control that really simmers and a wind shield; packs down for "
                    "the car or the backpack.",
                    "一键点火，小火也能稳定；自带挡风板，收纳小巧，自驾徒步都方便。",
                ),
                weight=(300, 4500),
                dims=(300, 200, 150),
                origins=("US", "CN"),
            ),
            K(
                "THM",
                f"{TOOLS} > Cooking Thermometers",
                "902519",
                ("Meat Thermometer", "食品温度计"),
                [("Instant-Read", "速读"), ("Wireless Probe", "无线探针"), ("Leave-In Dial", "指针式")],
                "colour",
                [("Black", "黑色"), ("Orange", "橙色")],
                (14, 69),
                (
                    "Reads to within 1 °F in two to three seconds, with a backlit display and a magnet for the "
                    "fridge door.",
                    "2-3秒读数，精度±0.5°C；背光屏幕，带磁铁可吸附冰箱门。",
                ),
                weight=(50, 200),
                dims=(180, 50, 30),
                origins=("CN",),
            ),
        ),
    ),
)

CATALOGS = {"cn": CN_SHOPS, "us": US_SHOPS}

COUNTRY_NAMES = {
    "AU": ("Australia", "澳大利亚"),
    "CN": ("China", "中国"),
    "CZ": ("Czechia", "捷克"),
    "DE": ("Germany", "德国"),
    "FR": ("France", "法国"),
    "IE": ("Ireland", "爱尔兰"),
    "JP": ("Japan", "日本"),
    "NZ": ("New Zealand", "新西兰"),
    "US": ("the United States", "美国"),
    "VN": ("Vietnam", "越南"),
}

# Background and shape colours of the product pictures, per platform.
PALETTES = {
    "cn": (
        ((253, 226, 228), (250, 177, 160), (255, 255, 255)),
        ((226, 240, 233), (129, 199, 172), (255, 250, 240)),
        ((255, 244, 214), (246, 189, 96), (247, 111, 111)),
        ((228, 236, 250), (144, 171, 232), (255, 255, 255)),
        ((243, 232, 250), (196, 160, 226), (255, 214, 224)),
        ((255, 236, 220), (242, 151, 117), (255, 248, 240)),
    ),
    "us": (
        ((224, 232, 218), (74, 110, 76), (214, 162, 92)),
        ((236, 226, 208), (166, 96, 58), (60, 72, 88)),
        ((214, 226, 234), (52, 86, 120), (232, 196, 120)),
        ((240, 234, 224), (92, 92, 92), (196, 82, 48)),
        ((226, 236, 232), (38, 94, 96), (238, 226, 196)),
        ((246, 232, 214), (180, 120, 60), (70, 96, 60)),
    ),
}


# --- composing products ----------------------------------------------------------------------------


def platform_catalog(code=None):
    """The shops of this platform's demo catalog: by platform code, else by currency."""
    code = code or settings.PLATFORM_CODE
    if code in CATALOGS:
        return code, CATALOGS[code]
    fallback = "cn" if settings.PLATFORM_CURRENCY == "CNY" else "us"
    return fallback, CATALOGS[fallback]


def price_point(value, currency):
    """A shelf price the way shops in that market write it: ¥129, ¥1299; $24.99, $149.95."""
    if currency == "CNY":
        if value >= 1000:
            return Decimal(int(value / 100) * 100 + 99)
        return Decimal(max(9, int(value / 10) * 10 + 9))
    if value < 20:
        return Decimal(int(value)) + Decimal("0.99")
    if value < 100:
        return Decimal(int(value / 5) * 5 + 4) + Decimal("0.99")
    return Decimal(int(value / 10) * 10 + 9) + Decimal("0.95")


def _text(pair, language):
    if isinstance(pair, str):
        return pair
    return pair[1] if language.startswith("zh") else pair[0]


def _sku_part(option):
    label = option if isinstance(option, str) else option[0]
    return re.sub(r"[^A-Z0-9]+", "", label.upper())[:10] or "STD"


def _title(kind, brand, line, language):
    zh = language.startswith("zh")
    brand_name = brand[2] if zh else brand[1]
    line_text = _text(line, language)
    noun = _text(kind.noun, language)
    product = noun.format(line=line_text) if "{line}" in noun else f"{line_text}{noun}" if zh else f"{line_text} {noun}"
    # Chinese titles run the brand into the name unless the brand is in Latin letters.
    joiner = "" if zh and not brand_name.isascii() else " "
    return f"{brand_name}{joiner}{product}"


def _description(kind, shop, options, origin, language):
    zh = language.startswith("zh")
    country = COUNTRY_NAMES.get(origin, (origin, origin))
    labels = [_text(option, language) for option in options]
    if zh:
        parts = [kind.blurb[1]]
        if len(labels) > 1:
            parts.append(f"可选：{'、'.join(labels)}。")
        parts.append(f"产地：{country[1]}。")
        parts.append(shop.promise[1])
        return "".join(parts)
    parts = [kind.blurb[0]]
    if len(labels) > 1:
        parts.append(f"Available in {', '.join(labels[:-1])} and {labels[-1]}.")
    parts.append(f"Made in {country[0]}.")
    parts.append(shop.promise[0])
    return " ".join(parts)


@dataclass
class PlannedProduct:
    shop: Shop
    data: services.ProductInput
    images: list  # indexes into the image pool
    alt_text: str


def plan_shop(shop, *, categories, language, currency):
    """The products of one shop, as service inputs: the same on every run."""
    planned = []
    for kind in shop.kinds:
        for line_index, line in enumerate(kind.lines):
            for offset in (0, 1):
                brand = shop.brands[(line_index + offset) % len(shop.brands)]
                code = f"{kind.key}-{brand[0]}-{line_index + 1}"
                rng = random.Random(f"demo:{shop.slug}:{code}")
                count = min(len(kind.options), rng.choice((1, 2, 2, 3, 3, 4)))
                start = rng.randrange(len(kind.options) - count + 1)
                chosen = list(enumerate(kind.options))[start : start + count]
                base = rng.uniform(*kind.price)
                variants = []
                for index, option in chosen:
                    amount = price_point(base * (1 + kind.step * index), currency)
                    stock = 0 if rng.random() < 0.08 else rng.choice((5, 12, 20, 35, 60, 120, 250, 480))
                    variants.append(
                        services.VariantInput(
                            sku=f"{code}-{_sku_part(option)}",
                            price=Money(amount, currency),
                            stock=stock,
                            attributes={kind.axis: _text(option, language)},
                        )
                    )
                origin = rng.choice(kind.origins or shop.origins)
                texts = {
                    lang: (
                        _title(kind, brand, line, lang),
                        _description(kind, shop, [option for _i, option in chosen], origin, lang),
                    )
                    for lang in ("zh-hans", "en")
                }
                jitter = [round(size * rng.uniform(0.9, 1.1)) for size in kind.dims]
                data = services.ProductInput(
                    code=code,
                    category_id=categories[kind.path],
                    original_language=language,
                    country_of_origin=origin,
                    hs_code=kind.hs_code,
                    weight_grams=rng.randint(*kind.weight),
                    texts=texts,
                    variants=variants,
                    brand=brand[1],
                    length_mm=jitter[0],
                    width_mm=jitter[1],
                    height_mm=jitter[2],
                    status=Product.Status.DRAFT if rng.random() < DRAFT_SHARE else Product.Status.ACTIVE,
                )
                images = [rng.randrange(IMAGE_POOL_SIZE)]
                if rng.random() < 0.35:
                    images.append((images[0] + 1 + rng.randrange(IMAGE_POOL_SIZE - 1)) % IMAGE_POOL_SIZE)
                planned.append(PlannedProduct(shop, data, images, texts[language][0]))
    return planned


def resolve_categories(shops):
    """Taxonomy IDs of every path the tables name; a path missing from this instance is an error."""
    paths = {kind.path for shop in shops for kind in shop.kinds}
    found = dict(Category.objects.filter(path_en__in=paths).values_list("path_en", "id"))
    missing = sorted(paths - set(found))
    if missing:
        raise DemoDataError(
            "The demo catalog names taxonomy paths this instance does not have (see catalog/data/taxonomy.tsv): "
            + "; ".join(missing)
        )
    return found


# --- pictures --------------------------------------------------------------------------------------


def image_pool(platform, count=IMAGE_POOL_SIZE, size=IMAGE_SIZE):
    """A few simple, pleasant product pictures as PNG bytes: a soft background with a product-like
    shape on a plinth. No text, so they suit both languages. Drawn at twice the size and scaled down
    for smooth edges."""
    palettes = PALETTES.get(platform, PALETTES["cn"])
    pictures = []
    for index in range(count):
        rng = random.Random(f"demo-image:{platform}:{index}")
        background, main, accent = palettes[index % len(palettes)]
        big = size * 2
        image = Image.new("RGB", (big, big), background)
        draw = ImageDraw.Draw(image)
        # A lighter halo behind the object and a plinth under it.
        halo = tuple(min(255, channel + 18) for channel in background)
        draw.ellipse((big * 0.12, big * 0.10, big * 0.88, big * 0.86), fill=halo)
        shade = tuple(max(0, channel - 28) for channel in background)
        draw.ellipse((big * 0.22, big * 0.78, big * 0.78, big * 0.88), fill=shade)
        shape = index % 4
        if shape == 0:  # a bottle or a jar
            draw.rounded_rectangle((big * 0.36, big * 0.30, big * 0.64, big * 0.82), radius=big * 0.07, fill=main)
            draw.rounded_rectangle((big * 0.42, big * 0.20, big * 0.58, big * 0.32), radius=big * 0.03, fill=accent)
        elif shape == 1:  # a round pan or a dish
            draw.ellipse((big * 0.22, big * 0.34, big * 0.72, big * 0.82), fill=main)
            draw.ellipse((big * 0.30, big * 0.42, big * 0.64, big * 0.74), fill=accent)
            draw.rounded_rectangle((big * 0.68, big * 0.54, big * 0.90, big * 0.62), radius=big * 0.03, fill=main)
        elif shape == 2:  # a tent or a mountain
            draw.polygon([(big * 0.18, big * 0.82), (big * 0.50, big * 0.26), (big * 0.82, big * 0.82)], fill=main)
            draw.polygon([(big * 0.42, big * 0.82), (big * 0.50, big * 0.56), (big * 0.58, big * 0.82)], fill=accent)
        else:  # a soft box or a folded textile
            draw.rounded_rectangle((big * 0.24, big * 0.40, big * 0.76, big * 0.82), radius=big * 0.06, fill=main)
            draw.rounded_rectangle((big * 0.24, big * 0.40, big * 0.76, big * 0.52), radius=big * 0.06, fill=accent)
        for _dot in range(rng.randint(3, 6)):  # a little confetti
            x, y, r = rng.uniform(0.08, 0.92) * big, rng.uniform(0.06, 0.30) * big, rng.uniform(0.01, 0.025) * big
            draw.ellipse((x - r, y - r, x + r, y + r), fill=accent if rng.random() < 0.5 else main)
        image = image.resize((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        pictures.append(buffer.getvalue())
    return pictures


# --- writing it --------------------------------------------------------------------------------------


@dataclass
class DemoResult:
    platform: str
    shops: int = 0
    products_created: int = 0
    products_existing: int = 0
    images_created: int = 0
    offers_created: dict = None


def ensure_shop(shop):
    """The shop's merchant and its login user; created once, left alone afterwards."""
    merchant = Merchant.objects.filter(slug=shop.slug).first()
    if merchant is not None:
        return merchant, False
    user_model = get_user_model()
    user = user_model.objects.filter(username=shop.username).first()
    if user is None:
        user = user_model.objects.create_user(username=shop.username, password=DEMO_SHOP_PASSWORD, email=shop.email)
    return services.create_merchant(name=shop.name, slug=shop.slug, users=[user], contact_email=shop.email), True


def fill_catalog(*, platform=None):
    """Create this platform's demo shops, products and pictures; what exists already is kept."""
    platform, shops = platform_catalog(platform)
    language = "zh-hans" if platform == "cn" else "en"
    currency = settings.PLATFORM_CURRENCY
    categories = resolve_categories(shops)
    result = DemoResult(platform=platform, offers_created={})
    pictures = None
    for shop in shops:
        with transaction.atomic():
            merchant, _created = ensure_shop(shop)
            result.shops += 1
            existing = set(merchant.products.values_list("code", flat=True))
            for planned in plan_shop(shop, categories=categories, language=language, currency=currency):
                if planned.data.code in existing:
                    result.products_existing += 1
                    continue
                product = services.save_product(merchant=merchant, data=planned.data)
                result.products_created += 1
                if pictures is None:
                    pictures = image_pool(platform)
                for index in planned.images:
                    upload = ContentFile(pictures[index], name=f"{planned.data.code.lower()}.png")
                    services.add_product_image(
                        merchant=merchant, product=product, upload=upload, alt_text=planned.alt_text
                    )
                    result.images_created += 1
    return result


def _offer_terms(product, partner_code, share):
    rng = random.Random(f"demo-offer:{partner_code}:{product.merchant_id}:{product.code}")
    if rng.random() >= share:
        return None
    factor = Decimal(rng.randint(70, 80)) / 100
    export_price = money.quantize(product.price.amount * factor, product.price.currency.code)
    own_stock = sum(variant.stock for variant in product.variants.all() if variant.is_active)
    direct_stock = min(own_stock, rng.choice((0, 5, 10, 20, 30, 50, 80)))
    return Money(export_price, product.price.currency), direct_stock


def create_export_offers(*, platform=None, share=OFFER_SHARE):
    """Offer a share of the demo shops' products to every active partner: at 70-80% of the home
    price, with some stock for direct cross-border sale. Products that already have an offer (or a
    withdrawn one) for that partner are left as they are, so running it again creates nothing."""
    _platform, shops = platform_catalog(platform)
    created = {}
    partnerships = Partnership.objects.filter(status=Partnership.Status.ACTIVE).select_related("partner")
    products = list(
        Product.objects.filter(
            merchant__slug__in=[shop.slug for shop in shops], status=Product.Status.ACTIVE, price__isnull=False
        )
        .select_related("merchant")
        .prefetch_related("variants")
        .order_by("id")
    )
    for partnership in partnerships:
        code = partnership.partner.code
        created[code] = 0
        already = set(ExportOffer.objects.filter(partnership=partnership).values_list("product_id", flat=True))
        with transaction.atomic():
            for product in products:
                if product.pk in already:
                    continue
                terms = _offer_terms(product, code, share)
                if terms is None:
                    continue
                export_price, direct_stock = terms
                services.set_export_offer(
                    merchant=product.merchant,
                    product=product,
                    partnership=partnership,
                    is_offered=True,
                    export_price=export_price,
                    direct_stock=direct_stock,
                )
                created[code] += 1
    return created


def shop_logins(platform=None):
    """(username, password, shop name) of the demo shops, for the demo to print."""
    _platform, shops = platform_catalog(platform)
    return [(shop.username, DEMO_SHOP_PASSWORD, shop.name) for shop in shops]

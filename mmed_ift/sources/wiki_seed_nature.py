# ruff: noqa: E501  (sentences of natural text, one per line)
"""Negative seeds next to medicine: natural science, animals, food, and articles that only touch it.

The general seeds (:mod:`mmed_ift.sources.wiki_seed`) are places, sport and the arts.  Without
this group the classifier learns "words of science" as "medical": a dump sample is mostly towns
and people, while the positives (exam questions, rationales) are full of cells, acids, proteins
and animals, so an article on photosynthesis, a chemical, a wolf, a footballer's torn ligament,
a dairy brand, an old hospital building or a film about a doctor scored as medical.  These
lexicons and sentences, written by this project, are negatives of their own group (each group
weighs the same in the loss).  None of them is in the held-out labelled set
(``tests/data/domain_labelled.jsonl``; a test checks).
"""

from __future__ import annotations

NATURE: dict[str, str] = {
    "en": """species genus animal mammal bird fish insect reptile amphibian plant tree flower leaf seed root
    forest habitat ecosystem evolution fossil predator prey migration molecule atom element compound
    reaction crystal metal mineral rock volcano earthquake climate ocean sediment planet orbit telescope
    energy electron chemistry biology zoology botany geology astronomy photosynthesis pigment polymer
    cuisine dish recipe ingredient flavour bread cheese wine brand advertising product farm livestock
    cattle sheep breed zoo goalkeeper striker transfer coach building architecture film comedy""",
    "zh": """物种 属 动物 哺乳动物 鸟类 鱼类 昆虫 爬行动物 两栖动物 植物 树木 花 叶子 种子 根 森林 栖息地
    生态系统 进化 化石 捕食者 迁徙 分子 原子 元素 化合物 反应 晶体 金属 矿物 岩石 火山 地震 气候 海洋
    沉积物 行星 轨道 望远镜 能量 电子 化学 生物学 动物学 植物学 地质学 天文学 色素 聚合物 菜肴 食谱 原料
    风味 面包 奶酪 葡萄酒 品牌 广告 产品 农场 家畜 牛 羊 品种 动物园 守门员 前锋 转会 教练 建筑 电影 喜剧""",
    "ja": """種 属 動物 哺乳類 鳥類 魚類 昆虫 爬虫類 両生類 植物 樹木 花 葉 種子 根 森林 生息地 生態系 進化
    化石 捕食者 渡り 分子 原子 元素 化合物 反応 結晶 金属 鉱物 岩石 火山 地震 気候 海洋 堆積物 惑星 軌道
    望遠鏡 エネルギー 電子 化学 生物学 動物学 植物学 地質学 天文学 色素 高分子 料理 レシピ 食材 風味 パン
    チーズ ワイン ブランド 広告 商品 農場 家畜 牛 羊 品種 動物園 ゴールキーパー フォワード 移籍 コーチ 建築
    映画 コメディ""",
    "fr": """espèce genre animal mammifère oiseau poisson insecte reptile amphibien plante arbre fleur feuille
    graine racine forêt habitat écosystème évolution fossile prédateur proie migration molécule atome élément
    composé réaction cristal métal minéral roche volcan séisme climat océan sédiment planète orbite télescope
    énergie électron chimie biologie zoologie botanique géologie astronomie photosynthèse pigment polymère
    cuisine plat recette ingrédient saveur pain fromage vin marque publicité produit ferme bétail bovins
    mouton race zoo gardien attaquant transfert entraîneur bâtiment architecture film comédie""",
    "ru": """вид род животное млекопитающее птица рыба насекомое рептилия земноводное растение дерево цветок
    лист семя корень лес ареал экосистема эволюция окаменелость хищник добыча миграция молекула атом элемент
    соединение реакция кристалл металл минерал порода вулкан землетрясение климат океан осадки планета
    орбита телескоп энергия электрон химия биология зоология ботаника геология астрономия фотосинтез пигмент
    полимер кухня блюдо рецепт ингредиент вкус хлеб сыр вино бренд реклама продукт ферма скот коровы овцы
    порода зоопарк вратарь нападающий трансфер тренер здание архитектура фильм комедия""",
    "es": """especie género animal mamífero ave pez insecto reptil anfibio planta árbol flor hoja semilla raíz
    bosque hábitat ecosistema evolución fósil depredador presa migración molécula átomo elemento compuesto
    reacción cristal metal mineral roca volcán terremoto clima océano sedimento planeta órbita telescopio
    energía electrón química biología zoología botánica geología astronomía fotosíntesis pigmento polímero
    cocina plato receta ingrediente sabor pan queso vino marca publicidad producto granja ganado vacas
    ovejas raza zoológico portero delantero fichaje entrenador edificio arquitectura película comedia""",
}

#: encyclopedic sentences of science, nature, food and of articles that only touch medicine
#: (a player's injury, a farm's vet, an old hospital building, a sitcom set in a hospital)
NATURE_TEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "Ribosomes are molecular machines that read messenger RNA and join amino acids into chains.",
        "Ammonia is a colourless gas with a pungent smell, made industrially by the Haber process from nitrogen and hydrogen.",
        "The peregrine falcon is the fastest bird, reaching more than 300 km/h when it dives on its prey.",
        "The sunflower is an annual plant native to the Americas whose seeds are pressed for cooking oil.",
        "The volcano last erupted in 1911, when ash and lava flows buried two villages on its southern slope.",
        "Saturn's rings are made mostly of ice particles and extend thousands of kilometres from the planet.",
        "The goalkeeper was carried off with an ankle injury in the derby, and the reserve kept a clean sheet.",
        "The farm's vet vaccinates the sheep every spring before the flock is moved to the summer pastures.",
        "The former naval hospital, a stone building of 1760 around a courtyard, now houses the town archives.",
        "The sitcom follows three junior doctors who share a flat, and it ran for four series on national television.",
        "The juice brand advertises its drinks as packed with antioxidants and sponsors the city marathon.",
        "Mendel's experiments with pea plants showed that traits are inherited as discrete units.",
        "Ethanol is produced by the fermentation of sugars by yeast and is used as a fuel and a solvent.",
        "Wheat is a cereal grass grown worldwide; its grain is milled into flour for bread and pasta.",
    ),
    "zh": (
        "核糖体是读取信使RNA并将氨基酸连接成链的分子机器。",
        "氨是一种有刺激性气味的无色气体，工业上用哈伯法由氮气和氢气合成。",
        "游隼是飞行速度最快的鸟类，俯冲捕猎时速度超过每小时300公里。",
        "向日葵是原产于美洲的一年生植物，种子可以榨取食用油。",
        "这座火山最近一次喷发是在1911年，火山灰和熔岩掩埋了南坡的两个村庄。",
        "土星环主要由冰粒组成，从行星向外延伸数千公里。",
        "守门员在德比战中脚踝受伤被抬下场，替补门将保持了零失球。",
        "农场的兽医每年春天给羊群接种，然后把羊群赶到夏季牧场。",
        "这座前海军医院是一座1760年建成、围绕庭院的石砌建筑，现在是市档案馆。",
        "这部情景喜剧讲述三名合租的年轻医生的生活，在全国电视台播出了四季。",
        "这个果汁品牌宣传其饮料富含抗氧化物，并赞助城市马拉松。",
        "孟德尔的豌豆杂交实验表明，性状以独立的单位遗传。",
        "乙醇由酵母发酵糖类制得，可用作燃料和溶剂。",
        "小麦是世界各地广泛种植的禾本科作物，麦粒磨成面粉用于制作面包和面条。",
    ),
    "ja": (
        "リボソームはメッセンジャーRNAを読み取り、アミノ酸をつないで鎖をつくる分子装置である。",
        "アンモニアは刺激臭のある無色の気体で、工業的にはハーバー法により窒素と水素から合成される。",
        "ハヤブサは最も速く飛ぶ鳥で、獲物に向かって急降下するときには時速300キロを超える。",
        "ヒマワリはアメリカ大陸原産の一年草で、種子からは食用油がとれる。",
        "この火山は1911年に最後に噴火し、火山灰と溶岩流が南斜面の二つの村を埋めた。",
        "土星の環は主に氷の粒子でできており、惑星から数千キロにわたって広がっている。",
        "ゴールキーパーはダービーで足首を負傷して担架で運ばれ、控えのキーパーが無失点に抑えた。",
        "農場の獣医は毎年春に羊にワクチンを打ち、その後群れは夏の放牧地へ移される。",
        "旧海軍病院は1760年に中庭を囲んで建てられた石造建築で、現在は市の公文書館になっている。",
        "このシットコムは同居する三人の研修医を描いた作品で、全国放送で4シリーズ続いた。",
        "このジュースのブランドは抗酸化物質たっぷりと宣伝し、市民マラソンに協賛している。",
        "メンデルのエンドウを使った実験は、形質が独立した単位として遺伝することを示した。",
        "エタノールは酵母による糖の発酵でつくられ、燃料や溶媒として使われる。",
        "小麦は世界中で栽培されるイネ科の穀物で、粒はひいて小麦粉にし、パンや麺に使われる。",
    ),
    "fr": (
        "Les ribosomes sont des machines moléculaires qui lisent l'ARN messager et assemblent les acides aminés en chaînes.",
        "L'ammoniac est un gaz incolore à l'odeur piquante, produit industriellement par le procédé Haber à partir d'azote et d'hydrogène.",
        "Le faucon pèlerin est l'oiseau le plus rapide : il dépasse 300 km/h lorsqu'il pique sur sa proie.",
        "Le tournesol est une plante annuelle originaire d'Amérique dont les graines fournissent une huile alimentaire.",
        "Le volcan est entré en éruption pour la dernière fois en 1911, lorsque cendres et coulées de lave ont enseveli deux villages.",
        "Les anneaux de Saturne sont formés surtout de particules de glace et s'étendent sur des milliers de kilomètres.",
        "Le gardien est sorti sur civière avec une blessure à la cheville lors du derby, et son remplaçant n'a encaissé aucun but.",
        "Le vétérinaire de la ferme vaccine les moutons chaque printemps avant la montée du troupeau aux estives.",
        "L'ancien hôpital de la marine, bâtiment de pierre de 1760 construit autour d'une cour, abrite aujourd'hui les archives municipales.",
        "La comédie suit trois internes qui partagent un appartement et a duré quatre saisons à la télévision.",
        "La marque de jus de fruits vante ses boissons riches en antioxydants et sponsorise le marathon de la ville.",
        "Les expériences de Mendel sur les pois ont montré que les caractères se transmettent par unités distinctes.",
        "L'éthanol est produit par la fermentation des sucres par les levures et sert de carburant et de solvant.",
        "Le blé est une céréale cultivée dans le monde entier ; son grain est moulu en farine pour le pain et les pâtes.",
    ),
    "ru": (
        "Рибосомы — молекулярные машины, которые считывают матричную РНК и соединяют аминокислоты в цепи.",
        "Аммиак — бесцветный газ с резким запахом; в промышленности его получают из азота и водорода методом Габера.",
        "Сапсан — самая быстрая птица: пикируя на добычу, он развивает скорость более 300 км/ч.",
        "Подсолнечник — однолетнее растение родом из Америки, из семян которого получают масло.",
        "Последнее извержение вулкана произошло в 1911 году, когда пепел и лава засыпали две деревни на южном склоне.",
        "Кольца Сатурна состоят в основном из частиц льда и простираются на тысячи километров от планеты.",
        "Вратаря унесли с поля на носилках с травмой голеностопа, а запасной отстоял матч всухую.",
        "Ветеринар фермы каждую весну прививает овец, после чего отару перегоняют на летние пастбища.",
        "Бывший морской госпиталь — каменное здание 1760 года с внутренним двором — теперь занимает городской архив.",
        "Комедийный сериал рассказывает о трёх молодых врачах, которые снимают одну квартиру, и шёл четыре сезона.",
        "Бренд соков рекламирует свои напитки как богатые антиоксидантами и спонсирует городской марафон.",
        "Опыты Менделя с горохом показали, что признаки наследуются отдельными единицами.",
        "Этанол получают брожением сахаров с помощью дрожжей; его используют как топливо и растворитель.",
        "Пшеница — злак, который выращивают по всему миру; зерно мелют в муку для хлеба и макарон.",
    ),
    "es": (
        "Los ribosomas son máquinas moleculares que leen el ARN mensajero y unen los aminoácidos en cadenas.",
        "El amoníaco es un gas incoloro de olor picante que se fabrica mediante el proceso Haber a partir de nitrógeno e hidrógeno.",
        "El halcón peregrino es el ave más rápida: supera los 300 km/h cuando se lanza en picado sobre su presa.",
        "El girasol es una planta anual originaria de América cuyas semillas se prensan para obtener aceite.",
        "El volcán entró en erupción por última vez en 1911, cuando la ceniza y la lava sepultaron dos aldeas.",
        "Los anillos de Saturno están formados sobre todo por partículas de hielo y se extienden miles de kilómetros.",
        "El portero se retiró en camilla con una lesión de tobillo en el derbi, y el suplente mantuvo la portería a cero.",
        "El veterinario de la granja vacuna a las ovejas cada primavera antes de subir el rebaño a los pastos de verano.",
        "El antiguo hospital de marina, un edificio de piedra de 1760 en torno a un patio, alberga hoy el archivo municipal.",
        "La comedia sigue a tres médicos residentes que comparten piso y duró cuatro temporadas en la televisión.",
        "La marca de zumos anuncia sus bebidas como llenas de antioxidantes y patrocina el maratón de la ciudad.",
        "Los experimentos de Mendel con guisantes mostraron que los caracteres se heredan en unidades discretas.",
        "El etanol se obtiene por fermentación de azúcares con levaduras y se usa como combustible y disolvente.",
        "El trigo es un cereal cultivado en todo el mundo; su grano se muele en harina para pan y pasta.",
    ),
}

# ruff: noqa: E501  (sentences of natural text, one per line)
"""The seed lexicons of the medical-article classifier, written by this project, per language.

``MEDICAL`` words and phrases are positives beside the medical text the build already reads in
the language; ``GENERAL`` ones are negatives beside the random sample of the dump (they keep a
small or mostly-medical dump from teaching the model that every article is "not medical").
"""

from __future__ import annotations

MEDICAL: dict[str, str] = {
    "en": """disease symptoms diagnosis treatment patient clinical therapy infection syndrome chronic acute
    hypertension diabetes insulin cancer tumor carcinoma metastasis chemotherapy antibiotic penicillin vaccine
    virus bacteria inflammation fever pain surgery anesthesia hospital physician nurse medication dose drug
    adverse effects prognosis epidemiology mortality incidence prevalence pathology pathophysiology blood
    heart cardiac myocardial infarction stroke artery vein kidney renal liver hepatic lung pulmonary asthma
    pneumonia tuberculosis anemia hemoglobin platelet leukemia lymphoma immune antibody allergy dermatitis
    fracture bone joint arthritis neurological seizure epilepsy dementia depression psychiatric pregnancy
    obstetric pediatric neonatal hormone thyroid gland enzyme receptor biopsy imaging radiography
    ultrasound MRI laboratory test screening prevention risk factors complications rehabilitation""",
    "zh": """疾病 症状 诊断 治疗 患者 临床 感染 综合征 慢性 急性 高血压 糖尿病 胰岛素 癌症 肿瘤 转移 化疗
    抗生素 青霉素 疫苗 病毒 细菌 炎症 发热 疼痛 手术 麻醉 医院 医生 护士 药物 剂量 不良反应 副作用 预后
    流行病学 死亡率 发病率 患病率 病理 血液 心脏 心肌梗死 脑卒中 动脉 静脉 肾脏 肝脏 肺 哮喘 肺炎 结核病
    贫血 血红蛋白 血小板 白血病 淋巴瘤 免疫 抗体 过敏 皮炎 骨折 关节炎 癫痫 痴呆 抑郁症 妊娠 儿科 新生儿
    激素 甲状腺 酶 受体 活检 影像 超声 检查 筛查 预防 危险因素 并发症 康复 病因 发病机制""",
    "ja": """疾患 病気 症状 診断 治療 患者 臨床 感染症 症候群 慢性 急性 高血圧 糖尿病 インスリン がん 腫瘍
    転移 化学療法 抗菌薬 ペニシリン ワクチン ウイルス 細菌 炎症 発熱 疼痛 手術 麻酔 病院 医師 看護師 薬剤
    投与量 副作用 予後 疫学 死亡率 罹患率 有病率 病理 血液 心臓 心筋梗塞 脳卒中 動脈 静脈 腎臓 肝臓 肺
    喘息 肺炎 結核 貧血 ヘモグロビン 血小板 白血病 リンパ腫 免疫 抗体 アレルギー 皮膚炎 骨折 関節炎
    てんかん 認知症 うつ病 妊娠 小児科 新生児 ホルモン 甲状腺 酵素 受容体 生検 画像診断 超音波 検査
    スクリーニング 予防 危険因子 合併症 リハビリテーション 原因 病態""",
    "fr": """maladie symptômes diagnostic traitement patient clinique thérapie infection syndrome chronique aiguë
    hypertension diabète insuline cancer tumeur carcinome métastase chimiothérapie antibiotique pénicilline
    vaccin virus bactérie inflammation fièvre douleur chirurgie anesthésie hôpital médecin infirmière
    médicament posologie effets indésirables pronostic épidémiologie mortalité incidence prévalence pathologie
    physiopathologie sang cœur cardiaque infarctus du myocarde accident vasculaire cérébral artère veine rein
    rénal foie hépatique poumon pulmonaire asthme pneumonie tuberculose anémie hémoglobine plaquettes leucémie
    lymphome immunitaire anticorps allergie dermatite fracture os articulation arthrite épilepsie démence
    dépression grossesse pédiatrie nouveau-né hormone thyroïde enzyme récepteur biopsie imagerie échographie
    dépistage prévention facteurs de risque complications rééducation""",
    "ru": """болезнь заболевание симптомы диагностика лечение пациент больной клинический терапия инфекция
    синдром хронический острый гипертензия диабет инсулин рак опухоль карцинома метастазы химиотерапия
    антибиотик пенициллин вакцина вирус бактерии воспаление лихорадка боль операция хирургия анестезия
    больница врач медсестра препарат доза побочные эффекты прогноз эпидемиология смертность заболеваемость
    распространённость патология патогенез кровь сердце инфаркт миокарда инсульт артерия вена почки печень
    лёгкие астма пневмония туберкулёз анемия гемоглобин тромбоциты лейкоз лимфома иммунитет антитела аллергия
    дерматит перелом кость сустав артрит эпилепсия деменция депрессия беременность педиатрия новорождённый
    гормон щитовидная железа фермент рецептор биопсия ультразвуковое исследование обследование скрининг
    профилактика факторы риска осложнения реабилитация""",
    "es": """enfermedad síntomas diagnóstico tratamiento paciente clínico terapia infección síndrome crónico agudo
    hipertensión diabetes insulina cáncer tumor carcinoma metástasis quimioterapia antibiótico penicilina
    vacuna virus bacteria inflamación fiebre dolor cirugía anestesia hospital médico enfermera medicamento
    dosis efectos adversos pronóstico epidemiología mortalidad incidencia prevalencia patología fisiopatología
    sangre corazón cardíaco infarto de miocardio accidente cerebrovascular arteria vena riñón renal hígado
    hepático pulmón pulmonar asma neumonía tuberculosis anemia hemoglobina plaquetas leucemia linfoma inmune
    anticuerpos alergia dermatitis fractura hueso articulación artritis epilepsia demencia depresión embarazo
    pediatría recién nacido hormona tiroides enzima receptor biopsia imagen ecografía cribado prevención
    factores de riesgo complicaciones rehabilitación""",
}

GENERAL: dict[str, str] = {
    "en": """city town village river mountain country capital population history century war battle king
    emperor dynasty empire election parliament president government party politics football club season
    league player team match championship album song band singer film actor director novel author poet
    painting museum church cathedral castle railway station airport road bridge ship island lake district
    province municipality company founded industry market economy currency school university student
    language grammar alphabet mathematics theorem physics planet star galaxy television series episode""",
    "zh": """城市 城镇 村庄 河流 山脉 国家 首都 人口 历史 世纪 战争 战役 国王 皇帝 王朝 帝国 选举 议会 总统 政府
    政党 政治 足球 俱乐部 赛季 联赛 球员 球队 比赛 冠军 专辑 歌曲 乐队 歌手 电影 演员 导演 小说 作家 诗人 绘画
    博物馆 教堂 城堡 铁路 车站 机场 公路 桥梁 船 岛屿 湖泊 省 县 公司 成立 工业 市场 经济 货币 学校 大学 学生
    语言 语法 数学 定理 物理 行星 恒星 星系 电视剧""",
    "ja": """都市 町 村 河川 山 国 首都 人口 歴史 世紀 戦争 合戦 国王 天皇 皇帝 王朝 帝国 選挙 議会 大統領 政府
    政党 政治 サッカー クラブ シーズン リーグ 選手 チーム 試合 優勝 アルバム 楽曲 バンド 歌手 映画 俳優 監督
    小説 作家 詩人 絵画 美術館 寺院 神社 城 鉄道 駅 空港 道路 橋 船 島 湖 県 市町村 会社 設立 産業 市場 経済
    通貨 学校 大学 学生 言語 文法 数学 定理 物理学 惑星 恒星 銀河 テレビドラマ アニメ""",
    "fr": """ville commune village fleuve rivière montagne pays capitale population histoire siècle guerre bataille
    roi empereur dynastie empire élection parlement président gouvernement parti politique football club saison
    championnat joueur équipe match album chanson groupe chanteur film acteur réalisateur roman auteur poète
    peinture musée église cathédrale château chemin de fer gare aéroport route pont navire île lac département
    région entreprise fondée industrie marché économie monnaie école université étudiant langue grammaire
    mathématiques théorème physique planète étoile galaxie série télévisée épisode""",
    "ru": """город посёлок деревня река гора страна столица население история век война битва король император
    династия империя выборы парламент президент правительство партия политика футбол клуб сезон чемпионат
    игрок команда матч альбом песня группа певец фильм актёр режиссёр роман писатель поэт живопись музей
    церковь собор замок железная дорога станция аэропорт дорога мост корабль остров озеро область район
    компания основана промышленность рынок экономика валюта школа университет студент язык грамматика
    математика теорема физика планета звезда галактика телесериал""",
    "es": """ciudad pueblo aldea río montaña país capital población historia siglo guerra batalla rey emperador
    dinastía imperio elecciones parlamento presidente gobierno partido política fútbol club temporada liga
    jugador equipo partido álbum canción banda cantante película actor director novela autor poeta pintura
    museo iglesia catedral castillo ferrocarril estación aeropuerto carretera puente barco isla lago provincia
    municipio empresa fundada industria mercado economía moneda escuela universidad estudiante idioma
    gramática matemáticas teorema física planeta estrella galaxia serie de televisión""",
}


def seed_terms(table: dict[str, str], lang: str) -> list[str]:
    """The terms of one language's lexicon, in order."""
    return table.get(lang, "").split()


#: everyday encyclopedic sentences (history, places, sport, arts, technology), negatives that are
#: natural text: without them the model would learn the function words of the positives (exam
#: questions are sentences, lexicon documents are not) as a sign of medicine
GENERAL_TEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "The city was founded on the banks of the river in the twelfth century and became an important market town.",
        "The team won the national championship in its first season under the new coach.",
        "The album was recorded in London and released the following spring to favourable reviews.",
        "The castle was rebuilt after a fire and now houses a museum of local history.",
        "The railway line opened in 1872 and connected the port with the coal mines of the valley.",
        "She wrote three novels and a collection of poems before moving to Paris.",
        "The island has a mild climate, and its economy depends on fishing and tourism.",
        "The election was won by the opposition party, which formed a coalition government.",
        "The bridge is a steel arch structure with a main span of two hundred metres.",
        "The film follows two brothers who travel across the country in an old car.",
        "The company was founded in 1998 and makes software for small businesses.",
        "The mountain is the highest peak of the range and was first climbed in 1865.",
    ),
    "zh": (
        "这座城市于十二世纪建于河岸边，后来发展成为重要的集市城镇。",
        "这支球队在新教练的带领下，第一个赛季就赢得了全国冠军。",
        "这张专辑在伦敦录制，于第二年春天发行，获得了好评。",
        "城堡在一场大火后重建，现在是一座地方历史博物馆。",
        "这条铁路于1872年通车，连接了港口和山谷中的煤矿。",
        "她在移居巴黎之前写了三部小说和一本诗集。",
        "这座岛屿气候温和，经济依赖渔业和旅游业。",
        "反对党赢得了选举，并组建了联合政府。",
        "这座桥是一座钢拱桥，主跨长二百米。",
        "这部电影讲述了两兄弟开着一辆旧车穿越全国的故事。",
        "这家公司成立于1998年，为小型企业开发软件。",
        "这座山是山脉的最高峰，1865年首次有人登顶。",
    ),
    "ja": (
        "この町は12世紀に川岸に築かれ、のちに重要な市場町として栄えた。",
        "チームは新しい監督のもとで最初のシーズンに全国優勝を果たした。",
        "このアルバムはロンドンで録音され、翌年の春に発売されて好評を得た。",
        "城は火災の後に再建され、現在は郷土史の博物館となっている。",
        "この鉄道路線は1872年に開業し、港と谷の炭鉱を結んだ。",
        "彼女はパリに移る前に三冊の小説と一冊の詩集を書いた。",
        "島は温暖な気候で、経済は漁業と観光業に支えられている。",
        "選挙では野党が勝利し、連立政権を樹立した。",
        "この橋は鋼製のアーチ橋で、中央径間は200メートルである。",
        "映画は古い車で国を横断する二人の兄弟を描いている。",
        "この会社は1998年に設立され、中小企業向けのソフトウェアを開発している。",
        "この山は山脈の最高峰で、1865年に初めて登頂された。",
    ),
    "fr": (
        "La ville a été fondée au XIIe siècle sur les rives du fleuve et est devenue un important bourg de marché.",
        "L'équipe a remporté le championnat national lors de sa première saison avec le nouvel entraîneur.",
        "L'album a été enregistré à Londres et publié le printemps suivant, salué par la critique.",
        "Le château a été reconstruit après un incendie et abrite aujourd'hui un musée d'histoire locale.",
        "La ligne de chemin de fer a été ouverte en 1872 et reliait le port aux mines de charbon de la vallée.",
        "Elle a écrit trois romans et un recueil de poèmes avant de s'installer à Paris.",
        "L'île jouit d'un climat doux et son économie repose sur la pêche et le tourisme.",
        "L'élection a été remportée par le parti d'opposition, qui a formé un gouvernement de coalition.",
        "Le pont est un arc en acier dont la travée principale mesure deux cents mètres.",
        "Le film suit deux frères qui traversent le pays dans une vieille voiture.",
        "L'entreprise a été fondée en 1998 et développe des logiciels pour les petites entreprises.",
        "La montagne est le plus haut sommet du massif ; elle a été gravie pour la première fois en 1865.",
    ),
    "ru": (
        "Город был основан на берегу реки в XII веке и стал важным торговым центром.",
        "Команда выиграла национальный чемпионат в первом же сезоне под руководством нового тренера.",
        "Альбом был записан в Лондоне и вышел следующей весной, получив хорошие отзывы.",
        "Замок восстановили после пожара, и теперь в нём находится краеведческий музей.",
        "Железная дорога открылась в 1872 году и соединила порт с угольными шахтами долины.",
        "Она написала три романа и сборник стихов, прежде чем переехать в Париж.",
        "На острове мягкий климат, а его экономика держится на рыболовстве и туризме.",
        "Выборы выиграла оппозиционная партия, которая сформировала коалиционное правительство.",
        "Мост представляет собой стальную арку с главным пролётом длиной двести метров.",
        "Фильм рассказывает о двух братьях, которые пересекают страну на старом автомобиле.",
        "Компания основана в 1998 году и разрабатывает программы для малого бизнеса.",
        "Гора является высшей вершиной хребта, впервые на неё поднялись в 1865 году.",
    ),
    "es": (
        "La ciudad fue fundada a orillas del río en el siglo XII y se convirtió en una importante villa de mercado.",
        "El equipo ganó el campeonato nacional en su primera temporada con el nuevo entrenador.",
        "El álbum se grabó en Londres y salió a la venta la primavera siguiente con buenas críticas.",
        "El castillo fue reconstruido tras un incendio y hoy alberga un museo de historia local.",
        "La línea de ferrocarril se inauguró en 1872 y unía el puerto con las minas de carbón del valle.",
        "Escribió tres novelas y un libro de poemas antes de mudarse a París.",
        "La isla tiene un clima templado y su economía depende de la pesca y el turismo.",
        "Las elecciones las ganó el partido de la oposición, que formó un gobierno de coalición.",
        "El puente es un arco de acero con un vano principal de doscientos metros.",
        "La película sigue a dos hermanos que cruzan el país en un coche viejo.",
        "La empresa se fundó en 1998 y desarrolla programas informáticos para pequeños negocios.",
        "La montaña es la cumbre más alta de la cordillera y se escaló por primera vez en 1865.",
    ),
}

#: medical encyclopedic sentences, the positives' counterpart of :data:`GENERAL_TEXT`: the
#: natural-text side of the medical class even when the build reads no other source
MEDICAL_TEXT: dict[str, tuple[str, ...]] = {
    "en": (
        "A stroke occurs when the blood supply to part of the brain is interrupted, causing sudden weakness or speech problems.",
        "Osteoporosis makes bones fragile and increases the risk of fractures of the hip, spine and wrist in older adults.",
        "Measles is a highly contagious viral disease that causes fever, cough and a characteristic rash; vaccination prevents it.",
        "Glaucoma damages the optic nerve, often because of raised pressure inside the eye, and can lead to loss of vision.",
        "Chronic hepatitis B infection can progress to cirrhosis and liver cancer; antiviral drugs suppress the virus.",
        "Atrial fibrillation is an irregular heart rhythm that raises the risk of stroke, so many patients receive anticoagulants.",
        "Psoriasis is a chronic immune-mediated skin disease with red, scaly plaques on the elbows, knees and scalp.",
        "Kidney stones cause severe flank pain that radiates to the groin, often with blood in the urine.",
        "Sepsis is a life-threatening organ dysfunction caused by the body's response to infection and needs urgent antibiotics.",
        "Parkinson's disease is a neurodegenerative disorder marked by tremor at rest, rigidity and slowness of movement.",
        "Vitamin D deficiency in children can cause rickets, with soft bones and deformities of the legs.",
        "The physician examined the patient, ordered blood tests and adjusted the dose of the medication.",
    ),
    "zh": (
        "脑卒中是指脑部部分区域血液供应中断，导致突然出现肢体无力或言语障碍。",
        "骨质疏松症使骨骼变脆，增加老年人髋部、脊柱和腕部骨折的风险。",
        "麻疹是一种传染性很强的病毒性疾病，表现为发热、咳嗽和特征性皮疹，接种疫苗可以预防。",
        "青光眼会损害视神经，常与眼内压升高有关，可导致视力丧失。",
        "慢性乙型肝炎可进展为肝硬化和肝癌，抗病毒药物可以抑制病毒复制。",
        "心房颤动是一种心律不齐，会增加脑卒中的风险，因此许多患者需要抗凝治疗。",
        "银屑病是一种慢性免疫介导的皮肤病，肘部、膝部和头皮出现红色鳞屑性斑块。",
        "肾结石可引起剧烈的腰部疼痛并放射至腹股沟，常伴有血尿。",
        "脓毒症是机体对感染反应失调引起的危及生命的器官功能障碍，需要紧急使用抗生素。",
        "帕金森病是一种神经退行性疾病，表现为静止性震颤、肌强直和运动迟缓。",
        "儿童维生素D缺乏可引起佝偻病，出现骨骼软化和下肢畸形。",
        "医生为患者做了体格检查，安排了血液化验，并调整了药物剂量。",
    ),
    "ja": (
        "脳卒中は脳の一部への血流が途絶えることで起こり、突然の手足の麻痺や言語障害を生じる。",
        "骨粗鬆症では骨がもろくなり、高齢者の大腿骨や脊椎、手首の骨折の危険が高まる。",
        "麻疹は感染力の非常に強いウイルス感染症で、発熱、咳、特徴的な発疹を示し、ワクチンで予防できる。",
        "緑内障は視神経が障害される疾患で、眼圧の上昇が関与することが多く、視野が失われることがある。",
        "慢性B型肝炎は肝硬変や肝がんに進行することがあり、抗ウイルス薬でウイルスの増殖を抑える。",
        "心房細動は不規則な心拍を示す不整脈で、脳梗塞の危険を高めるため抗凝固薬が用いられる。",
        "乾癬は免疫が関わる慢性の皮膚疾患で、肘や膝、頭皮に赤く鱗屑を伴う皮疹が現れる。",
        "尿路結石では脇腹から下腹部に放散する激しい痛みが起こり、血尿を伴うことが多い。",
        "敗血症は感染症に対する生体反応の異常によって臓器障害が起こる重い病態で、速やかな抗菌薬投与が必要である。",
        "パーキンソン病は安静時の振戦、筋強剛、動作緩慢を特徴とする神経変性疾患である。",
        "小児のビタミンD欠乏はくる病の原因となり、骨の軟化や脚の変形を生じる。",
        "医師は患者を診察し、血液検査を指示して、薬の投与量を調整した。",
    ),
    "fr": (
        "L'accident vasculaire cérébral survient lorsque l'irrigation d'une partie du cerveau est interrompue, provoquant une faiblesse soudaine ou des troubles de la parole.",
        "L'ostéoporose fragilise les os et augmente le risque de fractures de la hanche, du rachis et du poignet chez les personnes âgées.",
        "La rougeole est une maladie virale très contagieuse qui provoque fièvre, toux et une éruption caractéristique ; la vaccination la prévient.",
        "Le glaucome endommage le nerf optique, souvent en raison d'une pression intraoculaire élevée, et peut entraîner une perte de la vision.",
        "L'hépatite B chronique peut évoluer vers la cirrhose et le cancer du foie ; les antiviraux freinent la réplication du virus.",
        "La fibrillation atriale est un trouble du rythme cardiaque qui augmente le risque d'accident vasculaire cérébral, d'où le recours aux anticoagulants.",
        "Le psoriasis est une maladie chronique de la peau d'origine immunitaire, avec des plaques rouges et squameuses sur les coudes et les genoux.",
        "Les calculs rénaux provoquent une douleur lombaire intense irradiant vers l'aine, souvent avec du sang dans les urines.",
        "Le sepsis est une défaillance d'organes due à une réponse dérégulée à une infection et nécessite des antibiotiques en urgence.",
        "La maladie de Parkinson est une affection neurodégénérative marquée par un tremblement de repos, une rigidité et une lenteur des mouvements.",
        "La carence en vitamine D chez l'enfant peut provoquer un rachitisme, avec des os mous et des déformations des jambes.",
        "Le médecin a examiné le patient, prescrit une prise de sang et ajusté la posologie du médicament.",
    ),
    "ru": (
        "Инсульт возникает при нарушении кровоснабжения участка головного мозга и вызывает внезапную слабость в конечностях или нарушение речи.",
        "Остеопороз делает кости хрупкими и повышает риск переломов шейки бедра, позвоночника и запястья у пожилых людей.",
        "Корь — очень заразная вирусная инфекция с лихорадкой, кашлем и характерной сыпью; её предупреждает вакцинация.",
        "Глаукома повреждает зрительный нерв, часто из-за повышенного внутриглазного давления, и может привести к потере зрения.",
        "Хронический гепатит B может перейти в цирроз и рак печени; противовирусные препараты подавляют размножение вируса.",
        "Фибрилляция предсердий — нарушение ритма сердца, повышающее риск инсульта, поэтому многим больным назначают антикоагулянты.",
        "Псориаз — хроническое иммуноопосредованное заболевание кожи с красными шелушащимися бляшками на локтях и коленях.",
        "Камни в почках вызывают сильную боль в пояснице с иррадиацией в пах, нередко с примесью крови в моче.",
        "Сепсис — угрожающая жизни органная дисфункция, вызванная нарушенным ответом организма на инфекцию; требуется срочное назначение антибиотиков.",
        "Болезнь Паркинсона — нейродегенеративное заболевание с тремором покоя, ригидностью мышц и замедленностью движений.",
        "Дефицит витамина D у детей может вызвать рахит с размягчением костей и искривлением ног.",
        "Врач осмотрел пациента, назначил анализ крови и изменил дозу препарата.",
    ),
    "es": (
        "El ictus se produce cuando se interrumpe el riego sanguíneo de una parte del cerebro y causa debilidad repentina o trastornos del habla.",
        "La osteoporosis hace que los huesos sean frágiles y aumenta el riesgo de fracturas de cadera, columna y muñeca en las personas mayores.",
        "El sarampión es una enfermedad vírica muy contagiosa que causa fiebre, tos y un exantema característico; la vacunación la previene.",
        "El glaucoma daña el nervio óptico, a menudo por una presión intraocular elevada, y puede provocar pérdida de visión.",
        "La hepatitis B crónica puede evolucionar a cirrosis y cáncer de hígado; los antivirales frenan la replicación del virus.",
        "La fibrilación auricular es un trastorno del ritmo cardíaco que aumenta el riesgo de ictus, por lo que muchos pacientes reciben anticoagulantes.",
        "La psoriasis es una enfermedad crónica de la piel de origen inmunitario, con placas rojas y descamativas en codos y rodillas.",
        "Los cálculos renales causan un dolor lumbar intenso que se irradia a la ingle, a menudo con sangre en la orina.",
        "La sepsis es una disfunción orgánica potencialmente mortal causada por una respuesta desregulada a una infección y requiere antibióticos urgentes.",
        "La enfermedad de Parkinson es un trastorno neurodegenerativo con temblor en reposo, rigidez y lentitud de movimientos.",
        "La carencia de vitamina D en los niños puede causar raquitismo, con huesos blandos y deformidades de las piernas.",
        "El médico examinó al paciente, pidió un análisis de sangre y ajustó la dosis del medicamento.",
    ),
}

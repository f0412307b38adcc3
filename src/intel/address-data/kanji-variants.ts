/**
 * Old and variant kanji (旧字体・異体字) in place names, each followed by the
 * form an address key uses: 髙島 and 高島, 龍ケ崎 and 竜ケ崎, 大字萬 and 大字万
 * key the same. Pairs of two characters, read left to right.
 *
 * The first part is the JIS 第2水準 → 第1水準 and 旧字体 → 新字体 table of
 * @geolonia/normalize-japanese-addresses 3.1.3 (src/lib/dictionaries/jisDai2.ts,
 * MIT licence, © Geolonia Inc.), copied here because that library fetches its
 * address data over the network and cannot run offline. The second part adds
 * variants that library matches by pattern (src/lib/dict.ts) and a few common
 * in names (髙, 﨑, 德, 舘, 濵, 邉) that NFKC leaves apart. 嶋 and 島 stay
 * apart: 鹿嶋市 (茨城県) and 鹿島市 (佐賀県) are two cities.
 */
export const KANJI_VARIANT_PAIRS =
  '亞亜圍囲壹壱榮栄驛駅應応櫻桜假仮會会懷懐覺覚樂楽陷陥歡歓氣気戲戯據拠挾挟區区徑径溪渓輕軽藝芸儉倹圈圏權権嚴厳恆恒國国齋斎雜雑蠶蚕殘残兒児實実釋釈從従縱縦敍叙燒焼條条剩剰壤壌釀醸眞真盡尽醉酔髓髄聲声竊窃淺浅錢銭禪禅爭争插挿騷騒屬属對対滯滞擇択單単斷断癡痴鑄鋳敕勅鐵鉄傳伝黨党鬪闘屆届腦脳廢廃發発蠻蛮拂払邊辺瓣弁寶宝沒没滿満藥薬餘余樣様亂乱兩両禮礼靈霊爐炉灣湾惡悪醫医飮飲營営圓円歐欧奧奥價価繪絵擴拡學学罐缶勸勧觀観歸帰犧犠擧挙狹狭驅駆莖茎經経繼継缺欠劍剣檢検顯顕廣広鑛鉱碎砕劑剤參参慘惨絲糸辭辞舍舎壽寿澁渋肅粛將将證証乘乗疊畳孃嬢觸触寢寝圖図穗穂樞枢齊斉攝摂戰戦潛潜雙双莊荘裝装藏蔵續続體体臺台澤沢膽胆彈弾蟲虫廳庁鎭鎮點点燈灯盜盗獨独貳弐霸覇賣売髮髪祕秘佛仏變変辯弁豐豊飜翻默黙與与譽誉謠謡覽覧獵猟勵励齡齢勞労壓圧爲為隱隠衞衛鹽塩毆殴穩穏畫画壞壊殼殻嶽岳卷巻關関顏顔僞偽舊旧峽峡曉暁勳勲惠恵螢蛍鷄鶏縣県險険獻献驗験效効號号濟済册冊棧桟贊賛齒歯濕湿寫写收収獸獣處処稱称奬奨淨浄繩縄讓譲囑嘱愼慎粹粋隨随數数靜静專専踐践纖繊壯壮搜捜總総臟臓墮堕帶帯瀧滝擔担團団遲遅晝昼聽聴遞逓轉転當当稻稲讀読惱悩拜拝麥麦拔抜濱浜竝並辨弁舖舗襃褒萬万譯訳豫予搖揺來来龍竜壘塁隸隷戀恋樓楼鰺鯵鶯鴬蠣蛎攪撹竈竃灌潅諫諌頸頚礦砿蘂蕊靱靭賤賎壺壷礪砺檮梼濤涛邇迩蠅蝿檜桧儘侭藪薮籠篭彌弥麩麸驒騨' +
  '﨑崎髙高德徳舘館濵浜邉辺曾曽淵渕莵菟巿市冝宜槇槙瀨瀬';

"""Generate the noise evaluation set: noisy speech documents with their gold clean text.

    python eval/data/noise/make_noise_set.py [--out eval/data/noise] [--split NAME ...]

NAME is one of SPLITS: dev, test, test2, test3, test4, test5, test6, test7, test8, test9, test10, test11,
test12, test13, test14.

Inputs, all beside this script and all written for this set:
- speeches.txt: the speech prose (titles and paragraphs), never taken from any corpus;
- noise_variants.json: the noise strings of every kind, with separate dev and test variants;
- speeches_test2.txt, noise_variants_test2.json: prose and noise strings of the held-out
  split test2, written separately from the other two splits' (SOURCES);
- speeches_test3.txt, noise_variants_test3.json: the same for the held-out split test3,
  written separately again, from none of the files above;
- speeches_test4.txt, noise_variants_test4.json: the same for the held-out split test4,
  written afresh, none of its strings taken from the files above;
- speeches_test5.txt, noise_variants_test5.json: the same for the held-out split test5, with
  new wordings and new shapes of every kind (the plan options marked test5 below);
- speeches_test6.txt, noise_variants_test6.json: the same for the held-out split test6, again
  with new wordings and shapes (the plan options marked test6 below);
- speeches_test7.txt, noise_variants_test7.json: the same for the held-out split test7, again
  with new wordings and shapes (the plan options marked test7 below);
- speeches_test8.txt, noise_variants_test8.json: the same for the held-out split test8, again
  with new wordings and shapes (the plan options marked test8 below);
- speeches_test9.txt, noise_variants_test9.json: the same for the held-out split test9, again
  with new wordings and shapes (the plan options marked test9 below);
- speeches_test10.txt, noise_variants_test10.json: the same for the held-out split test10, again
  with new wordings and shapes (the plan options marked test10 below);
- speeches_test11.txt, noise_variants_test11.json: the same for the held-out split test11, again
  with new wordings and shapes (the plan options marked test11 below);
- speeches_test12.txt, noise_variants_test12.json: the same for the held-out split test12, again
  with new wordings and shapes (the plan options marked test12 below);
- speeches_test13.txt, noise_variants_test13.json: the same for the held-out split test13, in new
  wordings again, but laid out as real pages most often hold it, with the options already above;
- speeches_test14.txt, noise_variants_test14.json: the same for the held-out split test14, written afresh
  in the same way as test13: new wordings, real pages' usual shapes, the options already above.

PLAN below says which speeches go into which file, with which noise and which layout.
For each split the script writes <split>/docs/ (the files to ingest), <split>/gold/
(one JSON per doc: the speeches' title lines and paragraphs, exactly as written, without
any noise) and <split>/labels.json (per doc: format, encoding, layout, noise kinds and
every noise string inserted, so leftovers can be attributed to a kind).

Output is deterministic: each document draws from its own random.Random seeded by
SEED and the document's name, so editing one document's plan leaves the others alone.
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import math
import random
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20250611
# (text, noise kind); None is speech text, "markup" a page's own tags (test7, test9)
Seg = tuple[str, str | None]
SPLITS = ("dev", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9", "test10",
          "test11", "test12", "test13", "test14")
# Per split: the speech prose and the noise strings it is made from.
SOURCES = {
    "dev": ("speeches.txt", "noise_variants.json"),
    "test": ("speeches.txt", "noise_variants.json"),
    "test2": ("speeches_test2.txt", "noise_variants_test2.json"),
    "test3": ("speeches_test3.txt", "noise_variants_test3.json"),
    "test4": ("speeches_test4.txt", "noise_variants_test4.json"),
    "test5": ("speeches_test5.txt", "noise_variants_test5.json"),
    "test6": ("speeches_test6.txt", "noise_variants_test6.json"),
    "test7": ("speeches_test7.txt", "noise_variants_test7.json"),
    "test8": ("speeches_test8.txt", "noise_variants_test8.json"),
    "test9": ("speeches_test9.txt", "noise_variants_test9.json"),
    "test10": ("speeches_test10.txt", "noise_variants_test10.json"),
    "test11": ("speeches_test11.txt", "noise_variants_test11.json"),
    "test12": ("speeches_test12.txt", "noise_variants_test12.json"),
    "test13": ("speeches_test13.txt", "noise_variants_test13.json"),
    "test14": ("speeches_test14.txt", "noise_variants_test14.json"),
}

# --- the plan ---------------------------------------------------------------------------
# One entry per document. noise: kind -> options (see Builder for what each option does).
# Layouts: normal (one paragraph a line), blank (blank line between), oneline (no newline
# at all), wrap (hard breaks every `width` characters, mid-sentence, as copied from a PDF).

PLAN: list[dict] = [
    # ---------------------------------------------------------------- dev
    dict(name="d01_anquan.txt", split="dev", speeches=["D01"], layout="blank",
         noise={"antiscrape": {"per100": 1.6, "mid": 0.5}}),
    dict(name="d02_xiangcun.txt", split="dev", speeches=["D02"], layout="normal",
         noise={"template": {"before": "glued"}, "paywall": {"tails": 2, "truncate": 0.6}}),
    dict(name="d03_yingshang.txt", split="dev", speeches=["D03"], layout="oneline", sep="",
         noise={"banner": {"top": 1}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.8, "mid": 0.4}}),
    dict(name="d04_fangxun.txt", split="dev", speeches=["D04"], layout="normal", encoding="gb18030",
         noise={"nav": {"top": 2}, "ad": {"between": 2, "bottom": 1}, "page": {"between": 2}}),
    dict(name="d05_jiaoyu.txt", split="dev", speeches=["D05"], layout="wrap", width=28, page_lines=16,
         noise={"banner": {"top": 1, "running": True}, "page": {}, "watermark": {"share": 0.6}}),
    dict(name="d06_yiliao.txt", split="dev", speeches=["D06", "D07", "D08"], layout="blank",
         noise={"seo": {"top": 1}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5}}),
    dict(name="d07_guoqi.html", split="dev", speeches=["D09"], fmt="html",
         noise={"nav": {"top": 1}, "html_page": {}, "template": {"before": "line"}, "ad": {"bottom": 1}}),
    dict(name="d08_zuofeng.txt", split="dev", speeches=["D10"], layout="normal",
         noise={"html": {"tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="d09_jijian.txt", split="dev", speeches=["D11"], layout="normal",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="d10_wenlv.txt", split="dev", speeches=["D12"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="d11_xinfang.txt", split="dev", speeches=["D13"], layout="blank", noise={}),
    dict(name="d12_keji.md", split="dev", speeches=["D14"], fmt="md",
         noise={"seo": {"top": 1}, "template": {"after": "line"}}),
    dict(name="d13_shengtai.txt", split="dev", speeches=["D15"], layout="blank", encoding="utf-16",
         noise={"watermark": {"share": 0.8}, "ad": {"between": 2}}),
    dict(name="d14_minzheng.txt", split="dev", speeches=["D16", "D17"], layout="normal",
         noise={"antiscrape": {"per100": 0.7, "mid": 0.2}, "paywall": {"tails": 1, "lines": 1}}),
    dict(name="d15_tongji.txt", split="dev", speeches=["D18", "D19"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "site_heading": {}, "seo": {"top": 1},
                "marker": {"set": 1, "place": "line"}, "template": {"after": "glued"}}),
    dict(name="d16_xiaofang.txt", split="dev", speeches=["D20"], layout="normal", noise={}),
    dict(name="d17_zhaoshang.txt", split="dev", speeches=["D21"], layout="wrap", width=34, page_lines=20,
         encoding="gb18030",
         noise={"nav": {"top": 1}, "page": {}, "antiscrape": {"per100": 0.6, "mid": 0.6}}),
    dict(name="d18_rencai.html", split="dev", speeches=["D22"], fmt="html",
         noise={"nav": {"top": 1}, "html_page": {}, "pinyin": {"rate": 0.15, "style": 1}}),
    dict(name="d19_huibian.txt", split="dev", speeches=["D23", "D24", "D25"], layout="normal",
         noise={"marker": {"set": 2, "place": "glued"}, "template": {"between": "glued"},
                "watermark": {"share": 0.4}, "paywall": {"end": 1}}),
    dict(name="d20_wenming.txt", split="dev", speeches=["D26"], layout="normal",
         noise={"seo": {"top": 1}, "html": {"tags": True, "indent": False, "br": 2, "quotes": False,
                                           "span": 1}}),
    dict(name="d21_jiaotong.md", split="dev", speeches=["D27"], fmt="md", noise={}),
    dict(name="d22_hezhang.txt", split="dev", speeches=["D28"], layout="blank",
         noise={"antiscrape": {"per100": 0.9, "mid": 0.3}, "watermark": {"share": 0.7},
                "page": {"between": 1}}),
    dict(name="d23_kaixue.txt", split="dev", speeches=["D29"], layout="blank", encoding="utf-8-sig",
         noise={}),
    dict(name="d24_jiuye.txt", split="dev", speeches=["D30"], layout="normal", encoding="utf-16-le",
         noise={"paywall": {"lines": 1}, "template": {"after": "glued"}}),
    # ---------------------------------------------------------------- test (held out)
    dict(name="t01_liangshi.txt", split="test", speeches=["T01"], layout="blank",
         noise={"antiscrape": {"per100": 1.4, "mid": 0.5}}),
    dict(name="t02_tuiyi.txt", split="test", speeches=["T02"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "site_heading": {}, "antiscrape": {"per100": 0.4, "mid": 0.3}}),
    dict(name="t03_laomo.txt", split="test", speeches=["T03"], layout="wrap", width=24, page_lines=15,
         encoding="gb18030",
         noise={"banner": {"top": 1}, "page": {}, "watermark": {"share": 0.6}}),
    dict(name="t04_fulian.html", split="test", speeches=["T04"], fmt="html",
         noise={"nav": {"top": 1}, "html_page": {}, "template": {"before": "line"}, "ad": {"bottom": 2}}),
    dict(name="t05_tuanwei.txt", split="test", speeches=["T05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="t06_tuanbai.txt", split="test", speeches=["T06"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="t07_huibian.txt", split="test", speeches=["T07", "T08", "T09"], layout="normal",
         noise={"seo": {"top": 1}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "paywall": {"end": 1}}),
    dict(name="t08_renda.txt", split="test", speeches=["T10"], layout="normal",
         noise={"html": {"tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="t09_shuiwu.md", split="test", speeches=["T11"], fmt="md",
         noise={"seo": {"top": 1}, "template": {"before": "line"}}),
    dict(name="t10_yingji.txt", split="test", speeches=["T12"], layout="blank", encoding="utf-16",
         noise={"nav": {"top": 2}, "ad": {"between": 2}, "page": {"between": 2}}),
    dict(name="t11_tongzhan.txt", split="test", speeches=["T13"], layout="normal", noise={}),
    dict(name="t12_dangan.txt", split="test", speeches=["T14", "T15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.7}, "watermark": {"share": 0.6}}),
    dict(name="t13_laoganbu.txt", split="test", speeches=["T16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}}),
    dict(name="t14_jindu.txt", split="test", speeches=["T17"], layout="oneline", sep="",
         noise={"banner": {"top": 1}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5}}),
    dict(name="t15_pufa.html", split="test", speeches=["T18"], fmt="html",
         noise={"nav": {"top": 1}, "html_page": {}}),
    dict(name="t16_renju.txt", split="test", speeches=["T19"], layout="wrap", width=38, page_lines=0,
         blank=True, noise={"seo": {"top": 1}, "template": {"after": "line"}}),
    # ---------------------------------------------------------------- test2 (held out)
    # Its own prose and noise strings (SOURCES). Indexes into that split's lists: antiscrape
    # "shapes" (string shapes), html_page "page" (site chrome), "variant" (the string of a kind).
    dict(name="u01_liangshi.txt", split="test2", speeches=["H01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1]}}),
    dict(name="u02_laoling.txt", split="test2", speeches=["H02"], layout="oneline", sep="",
         noise={"banner": {"top": 1}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="u03_dangan.txt", split="test2", speeches=["H03"], layout="wrap", width=26, page_lines=14,
         encoding="gb18030",
         noise={"banner": {"top": 1, "running": True}, "page": {"variant": 1},
                "watermark": {"share": 0.5, "variant": 2}}),
    dict(name="u04_qixiang.html", split="test2", speeches=["H04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"bottom": 2}}),
    dict(name="u05_shuili.txt", split="test2", speeches=["H05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="u06_linzhang.txt", split="test2", speeches=["H06"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="u07_anquanyue.txt", split="test2", speeches=["H07", "H08", "H09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="u08_jindu.txt", split="test2", speeches=["H10"], layout="normal",
         noise={"html": {"tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="u09_qiaowu.md", split="test2", speeches=["H11"], fmt="md",
         noise={"seo": {"top": 1, "variant": 5}, "template": {"after": "line"},
                "pinyin": {"rate": 0.12, "style": 2}}),
    dict(name="u10_zhichan.txt", split="test2", speeches=["H12"], layout="blank", encoding="utf-16",
         noise={"nav": {"top": 2}, "ad": {"between": 2}, "page": {"between": 2, "variant": 3}}),
    dict(name="u11_shequ.txt", split="test2", speeches=["H13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="u12_shuangyong.txt", split="test2", speeches=["H14", "H15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 0]},
                "watermark": {"share": 0.6, "variant": 3},
                "marker": {"set": 1, "place": "glued"}}),
    dict(name="u13_zhengwu.txt", split="test2", speeches=["H16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.65}, "seo": {"top": 1, "variant": 6}}),
    dict(name="u14_guozi.txt", split="test2", speeches=["H17"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [1, 2]}}),
    dict(name="u15_shuzi.html", split="test2", speeches=["H18"], fmt="html",
         noise={"nav": {"top": 1, "variant": 6}, "html_page": {"page": 1}, "seo": {"top": 1, "variant": 0}}),
    dict(name="u16_gongzi.txt", split="test2", speeches=["H19"], layout="wrap", width=34, page_lines=18,
         noise={"nav": {"top": 1}, "page": {"variant": 4},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [0]}}),
    dict(name="u17_xiaofei.txt", split="test2", speeches=["H20"], layout="normal", encoding="gb18030",
         noise={"template": {"before": "glued"}, "ad": {"between": 1, "bottom": 1},
                "seo": {"top": 1, "variant": 9}, "watermark": {"share": 0.4, "variant": 7}}),
    dict(name="u18_chengshi.md", split="test2", speeches=["H21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1},
                "page": {"between": 1, "variant": 8}}),
    dict(name="u19_gongwen.txt", split="test2", speeches=["H22"], layout="blank", encoding="utf-8-sig",
         noise={}),
    dict(name="u20_xinmeiti.txt", split="test2", speeches=["H23"], layout="normal",
         noise={"ad": {"bottom": 1}, "template": {"after": "glued"}, "seo": {"top": 1, "variant": 1},
                "watermark": {"share": 0.7, "variant": 6}, "nav": {"bottom": 1, "variant": 8}}),
    dict(name="u21_gexie.txt", split="test2", speeches=["H24"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 8},
                "page": {"between": 1, "variant": 7}}),
    dict(name="u22_fangzai.html", split="test2", speeches=["H25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 9}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.15, "style": 1}}),
    dict(name="u23_sizheng.txt", split="test2", speeches=["H26", "H27"], layout="normal",
         encoding="utf-16-le",
         noise={"site_heading": {}, "marker": {"set": 7, "place": "line"}, "template": {"between": "glued"},
                "paywall": {"end": 1}}),
    dict(name="u24_hehu.txt", split="test2", speeches=["H28", "H29"], layout="normal",
         noise={"seo": {"top": 1, "variant": 7}, "page": {"between": 2, "variant": 11},
                "nav": {"top": 1, "variant": 1},
                "html": {"tags": False, "indent": False, "br": 2, "quotes": False, "span": 1}}),
    # ---------------------------------------------------------------- test3 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test2: "shapes", "page", "variant".
    dict(name="v01_tongzhan.txt", split="test3", speeches=["K01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 4]}}),
    dict(name="v02_minzu.txt", split="test3", speeches=["K02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [1]}}),
    dict(name="v03_zongjiao.txt", split="test3", speeches=["K03"], layout="wrap", width=30, page_lines=15,
         encoding="gb18030",
         noise={"banner": {"top": 1, "running": True}, "page": {"variant": 4},
                "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="v04_renfang.html", split="test3", speeches=["K04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"bottom": 2}}),
    dict(name="v05_dizhen.txt", split="test3", speeches=["K05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 1}}),
    dict(name="v06_waishi.txt", split="test3", speeches=["K13"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="v07_haiyang.txt", split="test3", speeches=["K09", "K10", "K11"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 2}}),
    dict(name="v08_youzheng.txt", split="test3", speeches=["K06"], layout="normal",
         noise={"html": {"tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="v09_kouan.md", split="test3", speeches=["K12"], fmt="md",
         noise={"seo": {"top": 1, "variant": 6}, "template": {"after": "line"},
                "banner": {"top": 1, "variant": 2}}),
    dict(name="v10_gongjijin.txt", split="test3", speeches=["K17"], layout="blank", encoding="utf-16",
         noise={"nav": {"top": 2}, "ad": {"between": 2}, "page": {"between": 2, "variant": 1}}),
    dict(name="v11_zhengwu.txt", split="test3", speeches=["K31"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="v12_baomi.txt", split="test3", speeches=["K14", "K15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [2, 5]},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="v13_yibao.txt", split="test3", speeches=["K18"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.6}, "seo": {"top": 1, "variant": 4}}),
    dict(name="v14_canlian.txt", split="test3", speeches=["K19"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [3, 6]}}),
    dict(name="v15_shuzi.html", split="test3", speeches=["K32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 16}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "variant": 12}}),
    dict(name="v16_ranqi.txt", split="test3", speeches=["K25"], layout="wrap", width=36, page_lines=18,
         noise={"nav": {"top": 1, "variant": 0}, "page": {"variant": 3},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7]}}),
    dict(name="v17_xiaofei.txt", split="test3", speeches=["K33"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 9},
                "ad": {"bottom": 1, "variant": 9}}),
    dict(name="v18_dianti.md", split="test3", speeches=["K26"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1},
                "page": {"between": 1, "variant": 9}}),
    dict(name="v19_hongshihui.txt", split="test3", speeches=["K20"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.15, "style": 3}, "watermark": {"share": 0.5, "variant": 9}}),
    dict(name="v20_zhiyuan.txt", split="test3", speeches=["K22"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 1}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 7}, "watermark": {"share": 0.7, "variant": 3},
                "nav": {"bottom": 1, "variant": 9}}),
    dict(name="v21_wangge.txt", split="test3", speeches=["K23"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 10}}),
    dict(name="v22_kepu.html", split="test3", speeches=["K29"], fmt="html",
         noise={"nav": {"top": 1, "variant": 19}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.15, "style": 4}}),
    dict(name="v23_gongxiao.txt", split="test3", speeches=["K07", "K08"], layout="normal",
         encoding="utf-16-le",
         noise={"site_heading": {}, "marker": {"set": 4, "place": "line"}, "template": {"between": "glued"},
                "paywall": {"end": 1}}),
    dict(name="v24_zhijiao.txt", split="test3", speeches=["K28", "K27"], layout="normal",
         noise={"seo": {"top": 1, "variant": 11}, "page": {"between": 2, "variant": 12},
                "nav": {"top": 1, "variant": 3},
                "html": {"tags": False, "indent": False, "br": 2, "quotes": False, "span": 1}}),
    dict(name="v25_cishan.txt", split="test3", speeches=["K21"], layout="normal", noise={}),
    dict(name="v26_wuye.txt", split="test3", speeches=["K24"], layout="normal",
         noise={"nav": {"top": 1, "bottom": 2}, "ad": {"between": 1, "variant": 2}}),
    dict(name="v27_quntuan.txt", split="test3", speeches=["K30"], layout="wrap", width=22, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 0}, "template": {"after": "line"}}),
    dict(name="v28_jiaoyi.html", split="test3", speeches=["K16"], fmt="html",
         noise={"nav": {"top": 1, "variant": 2}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [8, 0]}}),
    # ---------------------------------------------------------------- test4 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test2: "shapes", "page", "variant".
    dict(name="w01_anquan.txt", split="test4", speeches=["M01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 5]}}),
    dict(name="w02_xiangcun.txt", split="test4", speeches=["M02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 2}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [1]}}),
    dict(name="w03_chunyun.txt", split="test4", speeches=["M19"], layout="wrap", width=32, page_lines=17,
         encoding="gb18030",
         noise={"banner": {"top": 1, "running": True, "variant": 3}, "page": {"variant": 4},
                "watermark": {"share": 0.5, "variant": 2}}),
    dict(name="w04_zhaoshang.html", split="test4", speeches=["M07"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="w05_wenlv.txt", split="test4", speeches=["M17"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="w06_yuedu.txt", split="test4", speeches=["M23"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="w07_dianli.txt", split="test4", speeches=["M04", "M10", "M22"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="w08_dangjian.txt", split="test4", speeches=["M06"], layout="normal",
         noise={"html": {"tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="w09_jiaoyu.md", split="test4", speeches=["M08"], fmt="md",
         noise={"seo": {"top": 1, "variant": 1}, "template": {"after": "line"},
                "banner": {"top": 1, "variant": 4}}),
    dict(name="w10_hushi.txt", split="test4", speeches=["M11"], layout="blank", encoding="utf-16",
         noise={"nav": {"top": 2}, "ad": {"between": 2}, "page": {"between": 2, "variant": 1}}),
    dict(name="w11_rexian.txt", split="test4", speeches=["M13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="w12_chengshi.txt", split="test4", speeches=["M24", "M14"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [2, 6]},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="w13_yinhang.txt", split="test4", speeches=["M12"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.75}, "seo": {"top": 1, "variant": 4}}),
    dict(name="w14_zhengbing.txt", split="test4", speeches=["M25"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [3, 4]}}),
    dict(name="w15_dianshang.html", split="test4", speeches=["M15"], fmt="html",
         noise={"nav": {"top": 1, "variant": 3}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "variant": 3}}),
    dict(name="w16_xiaofang.txt", split="test4", speeches=["M20"], layout="wrap", width=26, page_lines=19,
         noise={"nav": {"top": 1, "variant": 1}, "page": {"variant": 10},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7]}}),
    dict(name="w17_fanzha.txt", split="test4", speeches=["M21"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 8}}),
    dict(name="w18_zhiliang.md", split="test4", speeches=["M26"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1},
                "page": {"between": 1, "variant": 11}}),
    dict(name="w19_xiaoyou.txt", split="test4", speeches=["M27"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1}, "watermark": {"share": 0.5, "variant": 7}}),
    dict(name="w20_nianhui.txt", split="test4", speeches=["M03"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 0}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 3},
                "nav": {"bottom": 1, "variant": 20}}),
    dict(name="w21_zhidaihui.txt", split="test4", speeches=["M31"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 5}}),
    dict(name="w22_jinglao.html", split="test4", speeches=["M18"], fmt="html",
         noise={"nav": {"top": 1, "variant": 4}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 2}}),
    dict(name="w23_gongnuan.txt", split="test4", speeches=["M29"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="w24_minying.txt", split="test4", speeches=["M32", "M28"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 2},
                "html": {"tags": False, "indent": False, "br": 2, "quotes": False, "span": 1}}),
    dict(name="w25_qiuliang.txt", split="test4", speeches=["M09"], layout="normal", noise={}),
    dict(name="w26_biaozhang.txt", split="test4", speeches=["M05"], layout="normal",
         noise={"nav": {"top": 1, "bottom": 2}, "ad": {"between": 1, "variant": 6}}),
    dict(name="w27_qingnian.txt", split="test4", speeches=["M30"], layout="wrap", width=21, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="w28_jianshen.html", split="test4", speeches=["M16"], fmt="html",
         noise={"nav": {"top": 1, "variant": 12}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [6, 2]}}),
    # ---------------------------------------------------------------- test5 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test2, and shapes of its own:
    # antiscrape "pad" (share of runs spaced off; 0 glues them to the characters), own-kind
    # "tails" (glued after paragraphs), html "flavour" (whose editor's residue), "formfeed"
    # between PDF pages; page counters, pinyin glosses and page chromes in new forms (the data).
    dict(name="x01_diming.txt", split="test5", speeches=["N01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="x02_binzang.txt", split="test5", speeches=["N02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 1}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2], "pad": 0.0}}),
    dict(name="x03_yinshui.txt", split="test5", speeches=["N03"], layout="wrap", width=29, page_lines=16,
         encoding="gb18030", formfeed=True,
         noise={"banner": {"top": 1, "running": True, "variant": 6}, "page": {"variant": 0},
                "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="x04_jizi.html", split="test5", speeches=["N06"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1, "variant": 6}}),
    dict(name="x05_feiyi.txt", split="test5", speeches=["N05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 1}}),
    dict(name="x06_laozihao.txt", split="test5", speeches=["N24"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="x07_huibian.txt", split="test5", speeches=["N07", "N08", "N09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="x08_jiliang.txt", split="test5", speeches=["N22"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="x09_biaozhun.md", split="test5", speeches=["N21"], fmt="md",
         noise={"seo": {"top": 1, "variant": 1}, "template": {"after": "line"},
                "banner": {"top": 1, "variant": 5}}),
    dict(name="x10_tijian.txt", split="test5", speeches=["N16"], layout="blank", encoding="utf-16",
         noise={"nav": {"top": 2}, "ad": {"between": 2}, "page": {"between": 2, "variant": 1}}),
    dict(name="x11_shuju.txt", split="test5", speeches=["N20"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="x12_minsheng.txt", split="test5", speeches=["N26", "N27"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="x13_zhuanli.txt", split="test5", speeches=["N23"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="x14_shanghui.txt", split="test5", speeches=["N13"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6]}}),
    dict(name="x15_yejing.html", split="test5", speeches=["N25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 3}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 4}}),
    dict(name="x16_gangkou.txt", split="test5", speeches=["N18"], layout="wrap", width=27, page_lines=18,
         noise={"nav": {"top": 1, "variant": 1}, "page": {"variant": 6},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [0], "pad": 0.0}}),
    dict(name="x17_jiazheng.txt", split="test5", speeches=["N28"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="x18_linxia.md", split="test5", speeches=["N04"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1},
                "page": {"between": 1, "variant": 11}}),
    dict(name="x19_kexie.txt", split="test5", speeches=["N12"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 4}, "watermark": {"share": 0.5, "variant": 7}}),
    dict(name="x20_wuliu.txt", split="test5", speeches=["N17"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 0}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 3},
                "nav": {"bottom": 1, "variant": 18}}),
    dict(name="x21_cunji.txt", split="test5", speeches=["N15"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 5}}),
    dict(name="x22_jichang.html", split="test5", speeches=["N19"], fmt="html",
         noise={"nav": {"top": 1, "variant": 8}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 3}}),
    dict(name="x23_zhongyi.txt", split="test5", speeches=["N30"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="x24_zhongye.txt", split="test5", speeches=["N31", "N32"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 2},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": True, "span": 1}}),
    dict(name="x25_guofang.txt", split="test5", speeches=["N11"], layout="normal", noise={}),
    dict(name="x26_zuqiu.txt", split="test5", speeches=["N10"], layout="normal",
         noise={"nav": {"top": 1, "bottom": 2}, "ad": {"between": 1, "tails": 1, "variant": 7}}),
    dict(name="x27_fangzhi.txt", split="test5", speeches=["N29"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="x28_minbing.html", split="test5", speeches=["N14"], fmt="html",
         noise={"nav": {"top": 1, "variant": 12}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [6, 4]}}),
    # ---------------------------------------------------------------- test6 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test5, and shapes of its own:
    # own-line noise as named runs above ("head") or below ("foot") the text, a table of contents
    # built from the speech's headings (nav "toc"), a PDF running header with the title and the
    # page number (banner "header"), Markdown furniture left unquoted ("quote_noise"), Windows
    # line ends ("crlf"); zhuyin glosses, Roman and circled page numbers (the data).
    dict(name="y01_nongtian.txt", split="test6", speeches=["P01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="y02_shuibao.txt", split="test6", speeches=["P10"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="y03_dianli.txt", split="test6", speeches=["P25"], layout="wrap", width=31, page_lines=15,
         encoding="gb18030", crlf=True,
         noise={"banner": {"header": 5}, "page": {"variant": 5}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="y04_kuajing.html", split="test6", speeches=["P04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1, "variant": 0}}),
    dict(name="y05_bowuguan.txt", split="test6", speeches=["P08"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="y06_wenwu.txt", split="test6", speeches=["P09"], layout="normal", indent="\u00a0" * 4,
         noise={}),
    dict(name="y07_biaozhang.txt", split="test6", speeches=["P15", "P22", "P23"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="y08_fangyi.txt", split="test6", speeches=["P11"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": True, "span": 2}}),
    dict(name="y09_chawenhua.md", split="test6", speeches=["P12"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [22]}, "seo": {"top": 1, "variant": 5}, "template": {"after": "line"}}),
    dict(name="y10_ditie.txt", split="test6", speeches=["P13"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [0, 18]}, "ad": {"between": 2}, "page": {"between": 2, "variant": 1}}),
    dict(name="y11_geren.txt", split="test6", speeches=["P05"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="y12_xuesheng.txt", split="test6", speeches=["P16", "P17"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="y13_shuzhan.txt", split="test6", speeches=["P07"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="y14_shangshi.txt", split="test6", speeches=["P24"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6]}}),
    dict(name="y15_rongmeiti.html", split="test6", speeches=["P02"], fmt="html",
         noise={"nav": {"top": 1, "variant": 3}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 5}}),
    dict(name="y16_shidi.txt", split="test6", speeches=["P26"], layout="wrap", width=25, page_lines=18,
         noise={"nav": {"top": 1, "variant": 1}, "page": {"variant": 3},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [6], "pad": 0.0}}),
    dict(name="y17_banquan.txt", split="test6", speeches=["P03"], layout="normal", crlf=True,
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 6}}),
    dict(name="y18_kongyan.md", split="test6", speeches=["P21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 3},
                "page": {"between": 1, "variant": 11}}),
    dict(name="y19_shaoxian.txt", split="test6", speeches=["P18"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 2}, "watermark": {"share": 0.5, "variant": 7}}),
    dict(name="y20_guangong.txt", split="test6", speeches=["P19"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 13}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 3},
                "nav": {"foot": [6, 7, 8, 9]}}),
    dict(name="y21_hunsu.txt", split="test6", speeches=["P20"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 0}, "nav": {"toc": 0}}),
    dict(name="y22_zhuyuan.html", split="test6", speeches=["P14"], fmt="html",
         noise={"nav": {"top": 1, "variant": 10}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 3}}),
    dict(name="y23_diyishuji.txt", split="test6", speeches=["P27"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="y24_xiezuo.txt", split="test6", speeches=["P28", "P29"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 2},
                "html": {"flavour": 1, "tags": True, "indent": False, "br": 2, "quotes": False, "span": 2}}),
    dict(name="y25_bingxue.txt", split="test6", speeches=["P30"], layout="normal", noise={}),
    dict(name="y26_baoxian.txt", split="test6", speeches=["P31"], layout="normal",
         noise={"nav": {"head": [14], "foot": [4, 5, 19]}, "banner": {"top": 1, "variant": 7},
                "ad": {"between": 1, "tails": 1, "variant": 12}}),
    dict(name="y27_baoshe.txt", split="test6", speeches=["P06"], layout="wrap", width=22, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="y28_laonian.html", split="test6", speeches=["P32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [7, 3]}}),
    # ---------------------------------------------------------------- test7 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test6, and shapes of its own:
    # glosses as <ruby> markup on an HTML page (pinyin "ruby"), PDF page counters run on from the
    # page's last line (glue_page), U+2028 line separators ("u2028"), an em-space indent; Braille,
    # Hangul, Armenian and Arabic-Indic anti-scraping runs, a Google Docs paste and a .docx's XML
    # as HTML residue, Markdown links and images as furniture (the data).
    dict(name="z01_jiegan.txt", split="test7", speeches=["Q01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="z02_nonglu.txt", split="test7", speeches=["Q03"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="z03_songlin.txt", split="test7", speeches=["Q05"], layout="wrap", width=30, page_lines=16,
         encoding="gb18030", glue_page=True,
         noise={"banner": {"header": 3}, "page": {"variant": 1}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="z04_guanggao.html", split="test7", speeches=["Q10"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="z05_cehui.txt", split="test7", speeches=["Q06"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 3}}),
    dict(name="z06_xiongtong.txt", split="test7", speeches=["Q13"], layout="normal", indent="\u2003\u2003",
         noise={}),
    dict(name="z07_huibian.txt", split="test7", speeches=["Q09", "Q24", "Q25"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="z08_lvxie.txt", split="test7", speeches=["Q19"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="z09_shuzi.md", split="test7", speeches=["Q16"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [2], "foot": [24]}, "seo": {"top": 1, "variant": 1},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 6},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="z10_hulianwang.txt", split="test7", speeches=["Q12"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [16, 17], "foot": [18]}, "ad": {"between": 2},
                "page": {"between": 2, "variant": 2}}),
    dict(name="z11_tushuguan.txt", split="test7", speeches=["Q14"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="z12_dengji.txt", split="test7", speeches=["Q27", "Q28"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="z13_xuebao.txt", split="test7", speeches=["Q15"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="z14_yancao.txt", split="test7", speeches=["Q29"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6]}}),
    dict(name="z15_wangyueche.html", split="test7", speeches=["Q11"], fmt="html",
         noise={"nav": {"head": [3], "top": 1, "variant": 4}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 11}}),
    dict(name="z16_sheying.txt", split="test7", speeches=["Q20"], layout="wrap", width=24, page_lines=18,
         noise={"nav": {"top": 1, "variant": 1}, "page": {"variant": 4},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="z17_fanxiqian.txt", split="test7", speeches=["Q18"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 6}, "nav": {"foot": [19, 21]}}),
    dict(name="z18_wuzhangai.md", split="test7", speeches=["Q08"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 1},
                "page": {"between": 1, "variant": 5}}),
    dict(name="z19_yundonghui.txt", split="test7", speeches=["Q23"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 0}, "watermark": {"share": 0.5, "variant": 7}}),
    dict(name="z20_touchan.txt", split="test7", speeches=["Q17"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 2}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 3},
                "nav": {"foot": [25, 6, 7, 8, 9, 10]}}),
    dict(name="z21_jixiao.txt", split="test7", speeches=["Q26"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="z22_yanxue.html", split="test7", speeches=["Q22"], fmt="html",
         noise={"nav": {"top": 1, "variant": 23}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 7, "ruby": True}}),
    dict(name="z23_tepaiyuan.txt", split="test7", speeches=["Q32"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="z24_caoyuan.txt", split="test7", speeches=["Q02", "Q04"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 22},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": False, "span": 2}}),
    dict(name="z25_jiazhang.txt", split="test7", speeches=["Q30"], layout="normal", noise={}),
    dict(name="z26_shitang.txt", split="test7", speeches=["Q07"], layout="normal", u2028=True,
         noise={"nav": {"head": [11, 12], "foot": [14, 13, 15]}, "banner": {"top": 1, "variant": 7},
                "ad": {"between": 1, "tails": 1, "variant": 3}}),
    dict(name="z27_jisheng.txt", split="test7", speeches=["Q21"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="z28_jiaozheng.html", split="test7", speeches=["Q31"], fmt="html",
         noise={"nav": {"top": 1, "variant": 26, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [1, 6]}}),
    # ---------------------------------------------------------------- test8 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test7, and shapes of its own: glosses
    # that wrap the character ({学|xué}, ｜戲《xì》) and Chao tone letters (pinyin styles given as a
    # pair, the data), a watermark glued after the title too (watermark "title"), anti-scraping runs
    # set off by no-break spaces ("pad_char"), a PDF running header on the first page as well
    # (header_first), a tab indent; LibreOffice and RTF residue, upper-case Roman page numbers.
    dict(name="a01_dizhi.txt", split="test8", speeches=["R01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="a02_gaice.txt", split="test8", speeches=["R16"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="a03_jieshui.txt", split="test8", speeches=["R30"], layout="wrap", width=30, page_lines=16,
         encoding="gb18030", header_first=True,
         noise={"banner": {"header": 3}, "page": {"variant": 0}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="a04_yanglao.html", split="test8", speeches=["R04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="a05_xiqu.txt", split="test8", speeches=["R29"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="a06_zuoxie.txt", split="test8", speeches=["R12"], layout="normal", indent="\t", noise={}),
    dict(name="a07_nengyuan.txt", split="test8", speeches=["R14", "R15", "R18"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0, "title": True}}),
    dict(name="a08_huli.txt", split="test8", speeches=["R19"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="a09_kuaiji.md", split="test8", speeches=["R13"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [0], "foot": [22, 18]}, "seo": {"top": 1, "variant": 1},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 5},
                "ad": {"bottom": 1, "variant": 13}}),
    dict(name="a10_shuju.txt", split="test8", speeches=["R05"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [16, 17], "foot": [19]}, "ad": {"between": 2},
                "page": {"between": 2, "variant": 1}}),
    dict(name="a11_piyao.txt", split="test8", speeches=["R03"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="a12_jinrong.txt", split="test8", speeches=["R27", "R28"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="a13_chuban.txt", split="test8", speeches=["R02"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="a14_dangxiao.txt", split="test8", speeches=["R10"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6], "pad_char": "\u00a0"}}),
    dict(name="a15_zhibo.html", split="test8", speeches=["R06"], fmt="html",
         noise={"nav": {"head": [4], "top": 1, "variant": 3}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 12}}),
    dict(name="a16_fengshou.txt", split="test8", speeches=["R20"], layout="wrap", width=24, page_lines=18,
         noise={"nav": {"top": 1, "variant": 1}, "page": {"variant": 4},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="a17_gongying.txt", split="test8", speeches=["R26"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 3}, "nav": {"foot": [20, 21]}}),
    dict(name="a18_wuzhong.md", split="test8", speeches=["R21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 2},
                "page": {"between": 1, "variant": 6}}),
    dict(name="a19_xueqian.txt", split="test8", speeches=["R24"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1}, "watermark": {"share": 0.7, "variant": 9}}),
    dict(name="a20_zhounian.txt", split="test8", speeches=["R25"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 7}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 2, "title": True},
                "nav": {"foot": [5, 6, 7, 8, 9, 10, 11]}}),
    dict(name="a21_yigongti.txt", split="test8", speeches=["R08"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="a22_gushu.html", split="test8", speeches=["R22"], fmt="html",
         noise={"nav": {"top": 1, "variant": 24}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 5}}),
    dict(name="a23_chuangxin.txt", split="test8", speeches=["R23"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="a24_xuncha.txt", split="test8", speeches=["R11", "R17"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 2},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": True, "span": 2}}),
    dict(name="a25_malasong.txt", split="test8", speeches=["R07"], layout="normal", noise={}),
    dict(name="a26_jijiu.txt", split="test8", speeches=["R09"], layout="normal",
         noise={"nav": {"head": [12, 13], "foot": [14, 15, 25, 26]}, "banner": {"top": 1, "variant": 7},
                "ad": {"between": 1, "tails": 1, "variant": 10}}),
    dict(name="a27_boshihou.txt", split="test8", speeches=["R32"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="a28_guangdian.html", split="test8", speeches=["R31"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [1, 6]}}),
    # ---------------------------------------------------------------- test9 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test8, and shapes of its own: anti-scraping
    # runs in spans the page hides (antiscrape "hidden"), a site's mark before a paragraph instead of
    # after it (watermark "lead"), a reading written before the character (a pinyin pair with an empty
    # second part, the data), lines ended by CR alone ("cr"), an indent of four en spaces; Tifinagh,
    # Canadian syllabics, Tibetan, Hebrew, Myanmar, mahjong-tile, Yi and upside-down runs, an
    # OpenDocument file's XML and a LaTeX source as residue, ruby with <rp> fallbacks, page numbers as
    # parenthesized ideographs and Suzhou numerals, full-width numbered pinyin (the data).
    dict(name="b01_weihua.txt", split="test9", speeches=["S01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="b02_nishui.txt", split="test9", speeches=["S02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="b03_gaosu.txt", split="test9", speeches=["S03"], layout="wrap", width=30, page_lines=10,
         encoding="gb18030",
         noise={"banner": {"header": 9}, "page": {"variant": 0}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="b04_wangluo.html", split="test9", speeches=["S04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="b05_longzhou.txt", split="test9", speeches=["S05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 5}}),
    dict(name="b06_meishu.txt", split="test9", speeches=["S06"], layout="normal", indent="\u2002" * 4,
         noise={}),
    dict(name="b07_nengyuan.txt", split="test9", speeches=["S07", "S08", "S09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0}}),
    dict(name="b08_fuyi.txt", split="test9", speeches=["S10"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="b09_chengren.md", split="test9", speeches=["S11"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [5], "foot": [26, 27]}, "seo": {"top": 1, "variant": 5},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 4},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="b10_zhulao.txt", split="test9", speeches=["S12"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [16, 17], "foot": [18]}, "ad": {"between": 2},
                "page": {"between": 2, "variant": 1}}),
    dict(name="b11_fabu.txt", split="test9", speeches=["S13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="b12_jiuzhu.txt", split="test9", speeches=["S14", "S15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="b13_wangwen.txt", split="test9", speeches=["S16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="b14_zhifa.txt", split="test9", speeches=["S17"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6], "pad_char": "\u3000"}}),
    dict(name="b15_wangjiao.html", split="test9", speeches=["S18"], fmt="html",
         noise={"nav": {"head": [3], "top": 1, "variant": 4}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}}),
    dict(name="b16_jinyu.txt", split="test9", speeches=["S19"], layout="wrap", width=24, page_lines=18,
         noise={"nav": {"top": 1, "variant": 2}, "page": {"variant": 10},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="b17_dianxin.txt", split="test9", speeches=["S20"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 2}, "nav": {"foot": [19, 20]}}),
    dict(name="b18_zaosheng.md", split="test9", speeches=["S21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 2},
                "page": {"between": 1, "variant": 6}}),
    dict(name="b19_liuxue.txt", split="test9", speeches=["S22"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1},
                "watermark": {"share": 0.6, "variant": 4, "lead": True}}),
    dict(name="b20_fabuhui.txt", split="test9", speeches=["S23"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 7}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 2},
                "nav": {"foot": [6, 8, 9, 10, 11]}}),
    dict(name="b21_yishi.txt", split="test9", speeches=["S24"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="b22_yesheng.html", split="test9", speeches=["S25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 24}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 2, "ruby": True}}),
    dict(name="b23_yijiu.txt", split="test9", speeches=["S26"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="b24_bianzhi.txt", split="test9", speeches=["S27", "S28"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 1},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": True, "span": 2}}),
    dict(name="b25_rongzi.txt", split="test9", speeches=["S29"], layout="normal", noise={}),
    dict(name="b26_lieshi.txt", split="test9", speeches=["S30"], layout="normal", cr=True,
         noise={"nav": {"head": [12, 13], "foot": [14, 15, 25]}, "banner": {"top": 1, "variant": 6},
                "ad": {"between": 1, "tails": 1, "variant": 8}}),
    dict(name="b27_turang.txt", split="test9", speeches=["S31"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="b28_shufa.html", split="test9", speeches=["S32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 28, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [6, 3], "hidden": True}}),
    # ---------------------------------------------------------------- test10 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test9, and shapes of its own: a row of
    # readings above each paragraph (pinyin "rows"), a site's mark after a sentence inside a paragraph
    # (watermark "inner"), runs of named strings between paragraphs (nav "blocks": a related-search box,
    # a poll, a copyright notice appended to each part of a copy), a review draft's line numbers on a
    # PDF copy (line_numbers), lines ended by CR CR LF ("crcrlf"), an indent of four-per-em spaces;
    # Ogham, Mongolian, Khmer, Coptic, Glagolitic, monospace, domino-tile and Vai runs, a Yuque document's
    # HTML and a Wikisource page's wikitext as residue, a browser's print header and footer, page numbers
    # in financial numerals and black circles (the data).
    dict(name="k01_gengdi.txt", split="test10", speeches=["E01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="k02_guotu.txt", split="test10", speeches=["E02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="k03_kuangshan.txt", split="test10", speeches=["E03"], layout="wrap", width=30, page_lines=12,
         encoding="gb18030", header_first=True,
         noise={"banner": {"header": 1}, "page": {"variant": 0}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="k04_jingwu.html", split="test10", speeches=["E04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="k05_zhisha.txt", split="test10", speeches=["E05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0}}),
    dict(name="k06_gongyuan.txt", split="test10", speeches=["E06"], layout="normal", indent="\u2005" * 4,
         noise={}),
    dict(name="k07_anquan.txt", split="test10", speeches=["E07", "E08", "E09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.5, "variant": 0, "inner": True}}),
    dict(name="k08_zhongcai.txt", split="test10", speeches=["E10"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="k09_chengxin.md", split="test10", speeches=["E11"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [5, 37, 7], "foot": [26]}, "seo": {"top": 1, "variant": 5},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 4},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="k10_jieneng.txt", split="test10", speeches=["E12"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [16, 17], "foot": [18]}, "ad": {"between": 2},
                "page": {"between": 2, "variant": 1}}),
    dict(name="k11_guangbo.txt", split="test10", speeches=["E13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="k12_banqian.txt", split="test10", speeches=["E14", "E15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="k13_shuwu.txt", split="test10", speeches=["E16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="k14_gongyi.txt", split="test10", speeches=["E17"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6], "pad_char": "\u2009"}}),
    dict(name="k15_weiqi.html", split="test10", speeches=["E18"], fmt="html",
         noise={"nav": {"head": [3], "top": 1, "variant": 4}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}}),
    dict(name="k16_zhiyebing.txt", split="test10", speeches=["E19"], layout="wrap", width=24, page_lines=18,
         line_numbers="{n} ",
         noise={"nav": {"top": 1, "variant": 2}, "page": {"variant": 10},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="k17_shebao.txt", split="test10", speeches=["E20"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 2},
                "nav": {"blocks": [[33, 34], [35, 36]], "foot": [19, 20]}}),
    dict(name="k18_haimian.md", split="test10", speeches=["E21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 2},
                "page": {"between": 1, "variant": 2}}),
    dict(name="k19_dianying.txt", split="test10", speeches=["E22"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1}, "watermark": {"share": 0.6, "variant": 4}}),
    dict(name="k20_bolanhui.txt", split="test10", speeches=["E23"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 7}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 2},
                "nav": {"blocks": [[30, 31, 32, 29], [30, 31, 32, 29]], "foot": [30, 31, 32, 29]}}),
    dict(name="k21_kehou.txt", split="test10", speeches=["E24"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="k22_shili.html", split="test10", speeches=["E25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 24}, "html_page": {"page": 2},
                "pinyin": {"style": 2, "rows": True}}),
    dict(name="k23_dili.txt", split="test10", speeches=["E26"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="k24_zhufang.txt", split="test10", speeches=["E27", "E28"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 1},
                "html": {"flavour": 1, "tags": False, "indent": True, "br": 2, "quotes": False, "span": 2}}),
    dict(name="k25_jingte.txt", split="test10", speeches=["E29"], layout="normal", noise={}),
    dict(name="k26_wenming.txt", split="test10", speeches=["E30"], layout="normal", crcrlf=True,
         noise={"nav": {"head": [12, 13], "foot": [8, 9, 10, 11, 6]}, "banner": {"top": 1, "variant": 6},
                "ad": {"between": 1, "tails": 1, "variant": 8}}),
    dict(name="k27_daoshi.txt", split="test10", speeches=["E31"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="k28_yuangan.html", split="test10", speeches=["E32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 28, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [6, 3]}}),
    # ---------------------------------------------------------------- test11 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test10, and shapes of its own: readings as
    # numbered footnotes under each line (pinyin "footnotes"), readings in their own inline tags
    # (pinyin "tagged"), a site's mark after every so many characters wherever they end (watermark
    # "every"), an ad set between two halves of a paragraph (ad "split"), a PDF's running headers
    # alternating between even and odd pages (banner "header" as a list), the stray marks a scanned page's
    # OCR leaves at its edge ("ocr"), lines ended by U+2029 PARAGRAPH SEPARATOR ("u2029"), an indent of
    # four spaces; Sinhala, Gujarati, Old Italic, Gothic, Lisu, Ol Chiki, technical-symbol and Javanese
    # runs, a Feishu document's HTML and a rich-text editor's Delta JSON as residue, page numbers as
    # parenthesized digits and digits with a full stop, a word processor's status bar (the data).
    dict(name="c01_zijianfang.txt", split="test11", speeches=["F01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="c02_zhaiwu.txt", split="test11", speeches=["F02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="c03_hulu.txt", split="test11", speeches=["F03"], layout="wrap", width=28, page_lines=11,
         encoding="gb18030", header_first=True,
         noise={"banner": {"header": [1, 2]}, "page": {"variant": 0},
                "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="c04_yizhan.html", split="test11", speeches=["F04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="c05_baling.txt", split="test11", speeches=["F05"], layout="blank",
         noise={"pinyin": {"rate": 0.06, "style": 0, "footnotes": True}}),
    dict(name="c06_anning.txt", split="test11", speeches=["F06"], layout="normal", indent=" " * 4,
         noise={}),
    dict(name="c07_nongye.txt", split="test11", speeches=["F07", "F08", "F09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"every": 110, "variant": 0}}),
    dict(name="c08_zhixing.txt", split="test11", speeches=["F10"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="c09_sheke.md", split="test11", speeches=["F11"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [5, 7, 6], "foot": [26]}, "seo": {"top": 1, "variant": 5},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 4},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="c10_muying.txt", split="test11", speeches=["F12"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [12, 13], "foot": [18]}, "ad": {"between": 1, "split": [9]},
                "page": {"between": 2, "variant": 1}}),
    dict(name="c11_guoan.txt", split="test11", speeches=["F13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="c12_saohei.txt", split="test11", speeches=["F14", "F15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="c13_touzizhe.txt", split="test11", speeches=["F16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="c14_mingcheng.txt", split="test11", speeches=["F17"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6], "pad_char": "\u202f"}}),
    dict(name="c15_yinxie.html", split="test11", speeches=["F18"], fmt="html",
         noise={"nav": {"head": [3], "top": 1, "variant": 4}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}}),
    dict(name="c16_jiehe.txt", split="test11", speeches=["F19"], layout="wrap", width=26, page_lines=16,
         ocr=True,
         noise={"nav": {"top": 1, "variant": 2}, "page": {"variant": 3},
                "antiscrape": {"per100": 0.5, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="c17_yaopin.txt", split="test11", speeches=["F20"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 2, "split": [4]},
                "nav": {"blocks": [[32, 33], [34, 35]], "foot": [19, 20]}}),
    dict(name="c18_waimao.md", split="test11", speeches=["F21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 2},
                "page": {"between": 1, "variant": 2}}),
    dict(name="c19_shengyun.txt", split="test11", speeches=["F22"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1}, "watermark": {"share": 0.6, "variant": 4}}),
    dict(name="c20_gongjiao.txt", split="test11", speeches=["F23"], layout="normal",
         noise={"ad": {"bottom": 1, "variant": 7}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 2},
                "nav": {"tails": 2, "variant": 30, "foot": [31, 29]}}),
    dict(name="c21_zhongkao.txt", split="test11", speeches=["F24"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="c22_laodong.html", split="test11", speeches=["F25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 24}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.3, "style": 2, "tagged": True}}),
    dict(name="c23_jineng.txt", split="test11", speeches=["F26"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="c24_qiye.txt", split="test11", speeches=["F27", "F28"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 1},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": False, "span": 2}}),
    dict(name="c25_chanye.txt", split="test11", speeches=["F29"], layout="normal", noise={}),
    dict(name="c26_menzhen.txt", split="test11", speeches=["F30"], layout="normal", u2029=True,
         noise={"nav": {"head": [16, 17], "foot": [8, 9, 10, 11, 37]}, "banner": {"top": 1, "variant": 9},
                "ad": {"between": 1, "tails": 1, "variant": 8}}),
    dict(name="c27_youxian.txt", split="test11", speeches=["F31"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="c28_huji.html", split="test11", speeches=["F32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 28, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.6, "mid": 0.5, "shapes": [6, 3]}}),
    # ---------------------------------------------------------------- test12 (held out)
    # Its own prose and noise strings (SOURCES), chosen as in test11, and shapes of its own: readings of
    # two-character words, in plain text or one ruby over the word (pinyin "words"), a site's mark before a
    # paragraph's final stop (watermark "before_stop"), a mobile page's fold button after a comma inside a
    # paragraph (paywall "fold"), every line as a highlight of an e-reader's clippings export (clippings),
    # lines ended by manual line breaks, U+000B ("vt"), an indent of three-per-em spaces; Deseret, Thaana,
    # Bengali, IPA, half-width katakana, combining-mark, alchemical and zero-width runs, an OFD page's XML and
    # a pdf2htmlEX page as residue, tone marks as combining characters, page numbers as Roman numeral
    # characters and double-circled digits, a converter's evaluation warning as running header (the data).
    dict(name="g01_jiti.txt", split="test12", speeches=["G01"], layout="blank",
         noise={"antiscrape": {"per100": 1.5, "mid": 0.5, "shapes": [0, 1], "pad": 0.0}}),
    dict(name="g02_chengguan.txt", split="test12", speeches=["G02"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 0}, "site_heading": {}, "template": {"before": "line"},
                "antiscrape": {"per100": 0.6, "mid": 0.4, "shapes": [2]}}),
    dict(name="g03_xinbing.txt", split="test12", speeches=["G03"], layout="wrap", width=28, page_lines=11,
         encoding="gb18030", header_first=True,
         noise={"banner": {"header": 1}, "page": {"variant": 0}, "watermark": {"share": 0.5, "variant": 1}}),
    dict(name="g04_yufu.html", split="test12", speeches=["G04"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}}),
    dict(name="g05_minyi.txt", split="test12", speeches=["G05"], layout="blank",
         noise={"pinyin": {"rate": 0.3, "style": 0, "words": True}}),
    dict(name="g06_yide.txt", split="test12", speeches=["G06"], layout="normal", indent="\u2004" * 4,
         noise={}),
    dict(name="g07_fayuan.txt", split="test12", speeches=["G07", "G08", "G09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 3}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"},
                "watermark": {"share": 0.5, "variant": 0, "before_stop": True}}),
    dict(name="g08_drg.txt", split="test12", speeches=["G10"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 3, "quotes": False, "span": 2}}),
    dict(name="g09_guji.md", split="test12", speeches=["G11"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [5, 37, 6], "foot": [7]}, "seo": {"top": 1, "variant": 5},
                "template": {"after": "line"}, "banner": {"top": 1, "variant": 2},
                "ad": {"bottom": 1, "variant": 5}}),
    dict(name="g10_caikuai.txt", split="test12", speeches=["G12"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [12, 13], "foot": [21, 35]}, "ad": {"between": 1, "variant": 10},
                "page": {"between": 2, "variant": 1}}),
    dict(name="g11_jizhe.txt", split="test12", speeches=["G13"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="g12_cunli.txt", split="test12", speeches=["G14", "G15"], layout="normal",
         noise={"antiscrape": {"per100": 0.8, "mid": 0.6, "shapes": [3, 4], "pad": 0.3},
                "watermark": {"share": 0.6, "variant": 5}, "marker": {"set": 1, "place": "glued"}}),
    dict(name="g13_shuzibi.txt", split="test12", speeches=["G16"], layout="blank",
         noise={"paywall": {"tails": 2, "truncate": 0.7}, "seo": {"top": 1, "variant": 4}}),
    dict(name="g14_caisha.txt", split="test12", speeches=["G17"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"lines": 1, "end": 1},
                "antiscrape": {"per100": 0.7, "mid": 0.5, "shapes": [5, 6], "pad_char": "\u205f"}}),
    dict(name="g15_pinpai.html", split="test12", speeches=["G18"], fmt="html",
         noise={"nav": {"head": [3], "top": 1, "variant": 4}, "html_page": {"page": 1},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}}),
    dict(name="g16_dukou.txt", split="test12", speeches=["G19"], layout="wrap", width=26, page_lines=16,
         noise={"nav": {"top": 1, "variant": 22}, "page": {"variant": 3},
                "antiscrape": {"per100": 1.0, "mid": 0.6, "shapes": [7], "pad": 0.0}}),
    dict(name="g17_peixun.txt", split="test12", speeches=["G20"], layout="normal",
         noise={"paywall": {"tails": 1, "lines": 1, "fold": [4]}, "seo": {"top": 1, "variant": 7},
                "ad": {"bottom": 1, "variant": 11},
                "nav": {"blocks": [[31, 32], [33]], "foot": [19, 20]}}),
    dict(name="g18_jianzhu.md", split="test12", speeches=["G21"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 6},
                "page": {"between": 1, "variant": 2}}),
    dict(name="g19_yishujie.txt", split="test12", speeches=["G22"], layout="blank", encoding="utf-8-sig",
         noise={"pinyin": {"rate": 0.25, "style": 1}, "watermark": {"share": 0.6, "variant": 4}}),
    dict(name="g20_canyin.txt", split="test12", speeches=["G23"], layout="normal", clippings=True,
         noise={"ad": {"bottom": 1, "variant": 7}, "template": {"after": "glued"},
                "seo": {"top": 1, "variant": 8}, "watermark": {"share": 0.7, "variant": 2},
                "nav": {"foot": [8, 9, 10, 11, 29]}}),
    dict(name="g21_shuili.txt", split="test12", speeches=["G24"], layout="blank",
         noise={"paywall": {"tails": 1, "lines": 1, "fold": [5]}, "seo": {"top": 1, "variant": 10},
                "page": {"between": 1, "variant": 11}, "nav": {"toc": 0}}),
    dict(name="g22_kaibi.html", split="test12", speeches=["G25"], fmt="html",
         noise={"nav": {"top": 1, "variant": 25}, "html_page": {"page": 2},
                "pinyin": {"rate": 0.4, "style": 2, "words": True, "ruby": True}}),
    dict(name="g23_gangtie.txt", split="test12", speeches=["G26"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="g24_qiye.txt", split="test12", speeches=["G27", "G28"], layout="normal",
         noise={"seo": {"top": 1, "variant": 2}, "page": {"between": 2, "variant": 9},
                "nav": {"top": 1, "variant": 1},
                "html": {"flavour": 1, "tags": True, "indent": True, "br": 2, "quotes": False, "span": 2}}),
    dict(name="g25_jiaolou.txt", split="test12", speeches=["G29"], layout="normal", noise={}),
    dict(name="g26_daoyou.txt", split="test12", speeches=["G30"], layout="normal", vt=True,
         noise={"nav": {"head": [16, 17], "blocks": [[26], [27]], "foot": [14, 15, 30]},
                "banner": {"top": 1, "variant": 7}, "ad": {"between": 1, "tails": 1, "variant": 8}}),
    dict(name="g27_saohuang.txt", split="test12", speeches=["G31"], layout="wrap", width=23, page_lines=0,
         blank=True, noise={"seo": {"top": 1, "variant": 9}, "template": {"after": "line"}}),
    dict(name="g28_junde.html", split="test12", speeches=["G32"], fmt="html",
         noise={"nav": {"top": 1, "variant": 38, "toc": 1}, "html_page": {"page": 3},
                "antiscrape": {"per100": 0.8, "mid": 0.5, "shapes": [6, 3]}}),
    # ---------------------------------------------------------------- test13 (held out)
    # Its own prose and noise strings (SOURCES), but no new shapes: the kinds and places a folder of speeches
    # saved from real pages holds most, template-site and document-library copies, pages with their chrome,
    # WeChat and forum copies, PDF copies, with a few rarer ones as real pages have them (a table of contents,
    # a fold button, an ad inside a paragraph, hidden forum jammers, Windows line ends).
    dict(name="j01_fanpin.txt", split="test13", speeches=["J01"], layout="blank",
         noise={"seo": {"top": 1, "variant": 0}, "template": {"before": "line", "after": "glued"},
                "watermark": {"share": 0.4, "variant": 0}, "ad": {"bottom": 1, "variant": 6}}),
    dict(name="j02_yuanlin.html", split="test13", speeches=["J02"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}, "seo": {"bottom": 1, "variant": 1}}),
    dict(name="j03_tijian.txt", split="test13", speeches=["J03"], layout="wrap", width=30, page_lines=14,
         encoding="gb18030", header_first=True, noise={"banner": {"header": 5}, "page": {"variant": 0}}),
    dict(name="j04_suyuan.txt", split="test13", speeches=["J04"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 2}, "site_heading": {}, "paywall": {"end": 1}}),
    dict(name="j05_cunshiguan.txt", split="test13", speeches=["J05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0, "words": True}, "nav": {"top": 1, "variant": 1}}),
    dict(name="j06_laobing.txt", split="test13", speeches=["J06"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="j07_nongye.txt", split="test13", speeches=["J07", "J08", "J09"], layout="blank",
         noise={"seo": {"top": 1, "variant": 4}, "site_heading": {}, "marker": {"set": 1, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.4, "variant": 2},
                "paywall": {"end": 1}}),
    dict(name="j08_dangyuan.txt", split="test13", speeches=["J10"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 2, "quotes": True, "span": 2}}),
    dict(name="j09_tanhui.md", split="test13", speeches=["J25"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [26, 27]}, "seo": {"top": 1, "variant": 6}, "template": {"after": "line"}}),
    dict(name="j10_liaoxiuyang.txt", split="test13", speeches=["J32"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [3], "foot": [4, 5, 28]}, "ad": {"between": 1, "variant": 5}}),
    dict(name="j11_shuzi.txt", split="test13", speeches=["J11"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="j12_yiyuan.txt", split="test13", speeches=["J12", "J13"], layout="normal",
         noise={"seo": {"top": 1, "variant": 8}, "marker": {"set": 2, "place": "glued"},
                "template": {"between": "glued"}, "watermark": {"share": 0.5, "variant": 5},
                "antiscrape": {"per100": 0.5, "mid": 0.3, "shapes": [1]}}),
    dict(name="j13_zizhu.txt", split="test13", speeches=["J14"], layout="blank",
         noise={"paywall": {"truncate": 0.7}, "banner": {"top": 1, "variant": 0},
                "seo": {"top": 1, "variant": 9}}),
    dict(name="j14_xinjiaoshi.txt", split="test13", speeches=["J15"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 4}, "site_heading": {}, "paywall": {"lines": 1}}),
    dict(name="j15_minsu.html", split="test13", speeches=["J17"], fmt="html",
         noise={"nav": {"head": [3], "foot": [4]}, "html_page": {"page": 2},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}, "paywall": {"fold": [5]}}),
    dict(name="j16_qc.txt", split="test13", speeches=["J19"], layout="wrap", width=34, page_lines=16,
         noise={"page": {"variant": 1}}),
    dict(name="j17_tingche.txt", split="test13", speeches=["J22"], layout="normal",
         noise={"nav": {"head": [16, 17, 18], "foot": [21, 22, 19, 20]},
                "antiscrape": {"per100": 1.0, "mid": 0.3, "shapes": [0, 1]}}),
    dict(name="j18_chuzheng.md", split="test13", speeches=["J20"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 1},
                "seo": {"bottom": 1, "variant": 10}}),
    dict(name="j19_junying.txt", split="test13", speeches=["J24"], layout="blank", encoding="utf-8-sig",
         noise={"watermark": {"share": 0.6, "variant": 6}, "nav": {"top": 1, "variant": 16}}),
    dict(name="j20_nvqiye.txt", split="test13", speeches=["J18"], layout="normal",
         noise={"nav": {"head": [3], "foot": [4, 23]}, "ad": {"tails": 1, "bottom": 1}}),
    dict(name="j21_ertong.txt", split="test13", speeches=["J23"], layout="blank",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"tails": 1, "lines": 1},
                "page": {"between": 1, "variant": 4}, "nav": {"toc": 0}}),
    dict(name="j22_yingyang.html", split="test13", speeches=["J26"], fmt="html",
         noise={"nav": {"top": 1, "variant": 30}, "html_page": {"page": 3}, "paywall": {"end": 1},
                "seo": {"top": 1, "variant": 7}}),
    dict(name="j23_yanbao.txt", split="test13", speeches=["J27"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="j24_peixun.txt", split="test13", speeches=["J28", "J29"], layout="normal",
         noise={"seo": {"top": 1, "variant": 3}, "nav": {"top": 1, "variant": 2},
                "page": {"between": 2, "variant": 7},
                "html": {"flavour": 1, "tags": False, "indent": False, "br": 2, "quotes": False, "span": 1}}),
    dict(name="j25_xiaoqing.txt", split="test13", speeches=["J16"], layout="normal", noise={}),
    dict(name="j26_cunba.txt", split="test13", speeches=["J21"], layout="normal", crlf=True,
         noise={"template": {"before": "line"}, "seo": {"top": 1, "variant": 5}, "ad": {"split": [8]},
                "nav": {"foot": [13, 6, 7, 8, 9, 10, 11, 12]}}),
    dict(name="j27_tingzheng.html", split="test13", speeches=["J30"], fmt="html",
         noise={"nav": {"top": 1, "variant": 31, "foot": [14, 15]}, "html_page": {"page": 1}}),
    dict(name="j28_laojie.html", split="test13", speeches=["J31"], fmt="html",
         noise={"nav": {"top": 1, "variant": 16}, "html_page": {"page": 4},
                "antiscrape": {"per100": 1.2, "mid": 0.4, "shapes": [0, 1], "hidden": True}}),
    # ---------------------------------------------------------------- test14 (held out)
    # Its own prose and noise strings (SOURCES), made as test13 was: no new shapes, the kinds and places a
    # folder of speeches saved from real pages holds most (template-site and document-library copies, pages
    # with their chrome, WeChat and forum copies, PDF copies), with a few rarer ones as real pages have them
    # (a table of contents, a fold button, an ad inside a paragraph, a related-reading box inside the text,
    # hidden forum jammers, pdftotext's form feeds, Windows line ends).
    dict(name="l01_zhengshou.txt", split="test14", speeches=["L01"], layout="blank",
         noise={"seo": {"top": 1, "variant": 0}, "template": {"before": "line", "after": "glued"},
                "watermark": {"share": 0.4, "variant": 0}, "ad": {"bottom": 1, "variant": 6}}),
    dict(name="l02_zhichao.html", split="test14", speeches=["L02"], fmt="html",
         noise={"nav": {"top": 1, "variant": 0}, "html_page": {"page": 0}, "template": {"before": "line"},
                "ad": {"between": 1, "bottom": 1}, "seo": {"bottom": 1, "variant": 1}}),
    dict(name="l03_fenwu.txt", split="test14", speeches=["L03"], layout="wrap", width=30, page_lines=14,
         encoding="gb18030", header_first=True, noise={"banner": {"header": 5}, "page": {"variant": 0}}),
    dict(name="l04_fengye.txt", split="test14", speeches=["L04"], layout="oneline", sep="",
         noise={"banner": {"top": 1, "variant": 2}, "site_heading": {}, "paywall": {"end": 1}}),
    dict(name="l05_zhuzi.txt", split="test14", speeches=["L05"], layout="blank",
         noise={"pinyin": {"rate": 0.2, "style": 0, "words": True}, "nav": {"top": 1, "variant": 1}}),
    dict(name="l06_juanxian.txt", split="test14", speeches=["L20"], layout="normal", indent="\u3000\u3000",
         noise={}),
    dict(name="l07_jiaoyu.txt", split="test14", speeches=["L15", "L16", "L17"], layout="blank",
         noise={"seo": {"top": 1, "variant": 4}, "site_heading": {}, "marker": {"set": 0, "place": "line"},
                "template": {"between": "line"}, "watermark": {"share": 0.4, "variant": 2},
                "paywall": {"end": 1}}),
    dict(name="l08_shuzhi.txt", split="test14", speeches=["L22"], layout="normal",
         noise={"html": {"flavour": 0, "tags": True, "indent": True, "br": 2, "quotes": True, "span": 2}}),
    dict(name="l09_zhineng.md", split="test14", speeches=["L30"], fmt="md", quote_noise=False,
         noise={"nav": {"head": [26, 32, 27]}, "seo": {"top": 1, "variant": 6},
                "template": {"after": "line"}}),
    dict(name="l10_yangquan.txt", split="test14", speeches=["L09"], layout="blank", encoding="utf-16",
         noise={"nav": {"head": [3], "foot": [4, 5, 28]}, "ad": {"between": 1, "variant": 5}}),
    dict(name="l11_cunkuan.txt", split="test14", speeches=["L29"], layout="normal", encoding="gb18030",
         noise={}),
    dict(name="l12_yiyuan.txt", split="test14", speeches=["L19", "L21"], layout="normal",
         noise={"seo": {"top": 1, "variant": 8}, "marker": {"set": 1, "place": "glued"},
                "template": {"between": "glued"}, "watermark": {"share": 0.5, "variant": 5},
                "antiscrape": {"per100": 0.5, "mid": 0.3, "shapes": [1]}}),
    dict(name="l13_caigou.txt", split="test14", speeches=["L13"], layout="blank",
         noise={"paywall": {"truncate": 0.7}, "banner": {"top": 1, "variant": 0},
                "seo": {"top": 1, "variant": 9}}),
    dict(name="l14_zhicheng.txt", split="test14", speeches=["L14"], layout="oneline", sep=" ",
         noise={"banner": {"top": 1, "variant": 4}, "site_heading": {}, "paywall": {"lines": 1}}),
    dict(name="l15_lianyi.html", split="test14", speeches=["L18"], fmt="html",
         noise={"nav": {"head": [3], "foot": [4]}, "html_page": {"page": 2},
                "ad": {"bottom": 1, "tails": 1, "variant": 0}, "paywall": {"fold": [5]}}),
    dict(name="l16_banzu.txt", split="test14", speeches=["L24"], layout="wrap", width=32, page_lines=15,
         formfeed=True, noise={"banner": {"header": 3}, "page": {"variant": 1}}),
    dict(name="l17_beijie.txt", split="test14", speeches=["L07"], layout="normal",
         noise={"nav": {"head": [16, 17, 18], "foot": [21, 22, 19, 20]},
                "antiscrape": {"per100": 1.0, "mid": 0.3, "shapes": [0, 1]}}),
    dict(name="l18_shengtai.md", split="test14", speeches=["L06"], fmt="md",
         noise={"site_heading": {}, "template": {"before": "line"}, "banner": {"top": 1, "variant": 1},
                "seo": {"bottom": 1, "variant": 10}}),
    dict(name="l19_kaixun.txt", split="test14", speeches=["L25"], layout="blank", encoding="utf-8-sig",
         noise={"watermark": {"share": 0.6, "variant": 6}, "nav": {"top": 1, "variant": 16}}),
    dict(name="l20_nongmao.txt", split="test14", speeches=["L08"], layout="normal",
         noise={"nav": {"head": [3], "foot": [4, 23]}, "ad": {"split": [8], "bottom": 1, "variant": 12}}),
    dict(name="l21_kongxin.txt", split="test14", speeches=["L27"], layout="blank",
         noise={"banner": {"top": 1, "variant": 8}, "paywall": {"end": 1},
                "page": {"between": 1, "variant": 4}, "nav": {"toc": 0}}),
    dict(name="l22_gongzheng.html", split="test14", speeches=["L11"], fmt="html",
         noise={"nav": {"top": 1, "variant": 30}, "html_page": {"page": 3}, "paywall": {"end": 1},
                "seo": {"top": 1, "variant": 7}}),
    dict(name="l23_xiangxian.txt", split="test14", speeches=["L26"], layout="normal", encoding="utf-16-le",
         noise={"site_heading": {}, "template": {"after": "glued"}, "paywall": {"end": 1}}),
    dict(name="l24_peixun.txt", split="test14", speeches=["L32", "L12"], layout="normal",
         noise={"seo": {"top": 1, "variant": 3}, "nav": {"top": 1, "variant": 2},
                "page": {"between": 2, "variant": 7},
                "html": {"flavour": 1, "tags": False, "indent": False, "br": 2, "quotes": False, "span": 1}}),
    dict(name="l25_jiangben.txt", split="test14", speeches=["L23"], layout="normal", noise={}),
    dict(name="l26_tubu.txt", split="test14", speeches=["L31"], layout="normal", crlf=True,
         noise={"template": {"before": "line"}, "seo": {"top": 1, "variant": 5},
                "nav": {"blocks": [[6, 7, 8, 9]], "foot": [13, 10, 11, 12]}}),
    dict(name="l27_zulin.html", split="test14", speeches=["L10"], fmt="html",
         noise={"nav": {"top": 1, "variant": 31, "foot": [14, 15]}, "html_page": {"page": 1}}),
    dict(name="l28_shici.html", split="test14", speeches=["L28"], fmt="html",
         noise={"nav": {"top": 1, "variant": 16}, "html_page": {"page": 4},
                "antiscrape": {"per100": 1.2, "mid": 0.4, "shapes": [0, 1], "hidden": True}}),
]


# --- data -------------------------------------------------------------------------------


@dataclass
class SpeechText:
    sid: str
    topic: str
    titles: list[str]
    paragraphs: list[str]


@dataclass
class Line:
    """One line of a document before layout: speech text and noise, in order."""

    segs: list[Seg]
    role: str  # title, para, heading, noise, marker

    def text(self) -> str:
        return "".join(t for t, _ in self.segs)


@dataclass
class Built:
    text: str
    gold: list[dict]
    noise: list[dict] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)


def load_speeches(path: Path) -> dict[str, SpeechText]:
    """Parse speeches.txt: '@@ ID TOPIC', title lines, '--', one paragraph a line."""
    speeches: dict[str, SpeechText] = {}
    current: SpeechText | None = None
    in_title = False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@@ "):
            sid, topic = line[3:].split()
            current = speeches[sid] = SpeechText(sid, topic, [], [])
            in_title = True
        elif current is None:
            raise ValueError(f"text before the first speech: {line}")
        elif line == "--":
            in_title = False
        elif in_title:
            current.titles.append(line)
        else:
            current.paragraphs.append(line)
    for sp in speeches.values():
        size = len("".join(sp.titles + sp.paragraphs))
        # The brief for this set: every speech 600-2500 characters, and ASCII punctuation
        # only where a speech would really have it, since normalize() rewrites it.
        if not 600 <= size <= 2500:
            raise ValueError(f"{sp.sid} has {size} characters")
        if re.search(r"[,:;!?()\"]|\.\.\.", "".join(sp.titles + sp.paragraphs)):
            raise ValueError(f"{sp.sid} has ASCII punctuation")
    return speeches


_WHOLE_HEADING = re.compile(r"^[一二三四五六七八九十]+、[^。；]{2,40}$")


def _tone_number(py: str) -> str:
    """huì -> hui4: the numbered spelling some pages use."""
    tones = {"āēīōūǖ": 1, "áéíóúǘ": 2, "ǎěǐǒǔǚ": 3, "àèìòùǜ": 4}
    plain = {"ā": "a", "á": "a", "ǎ": "a", "à": "a", "ē": "e", "é": "e", "ě": "e", "è": "e",
             "ī": "i", "í": "i", "ǐ": "i", "ì": "i", "ō": "o", "ó": "o", "ǒ": "o", "ò": "o",
             "ū": "u", "ú": "u", "ǔ": "u", "ù": "u", "ǖ": "v", "ǘ": "v", "ǚ": "v", "ǜ": "v"}
    tone = next((n for marks, n in tones.items() for ch in py if ch in marks), 5)
    return "".join(plain.get(ch, ch) for ch in py) + str(tone)


_SUPERSCRIPT = str.maketrans("012345", "⁰¹²³⁴⁰")  # the neutral tone (5) written as 0
_SUPER_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")  # footnote numbers (test11)
_FULL_WIDTH = str.maketrans({ch: chr(ord(ch) + 0xFEE0) for ch in "abcdefghijklmnopqrstuvwxyz0123456789"})
_CHAO = {"1": "˥", "2": "˧˥", "3": "˨˩˦", "4": "˥˩", "5": ""}  # tone letters; the neutral tone has none


def _pinyin_forms(reading: str) -> dict[str, str]:
    """The spellings a gloss style can use: huì, hui4, hui (no tone), hui with ⁴ (test5), the
    zhuyin ㄏㄨㄟˋ that test6's table gives after a bar (huì|ㄏㄨㄟˋ), the tone as Chao tone
    letters, hui˥˩, as dictionary pages print it (test8), and the numbered spelling in full-width
    letters, ｈｕｉ４, as pages typed with a Chinese input method's full-width mode write it (test9), and
    huì with its tone mark as a combining character after the vowel, as a Mac keeps it (test12)."""
    py, _, zhuyin = reading.partition("|")
    num = _tone_number(py)
    return {"py": py, "num": num, "bare": num[:-1], "sup": num[-1].translate(_SUPERSCRIPT), "zy": zhuyin,
            "chao": _CHAO[num[-1]], "wnum": num.translate(_FULL_WIDTH),
            "nfd": unicodedata.normalize("NFD", py)}


_CHINESE_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """3 -> 三, 12 -> 十二: page numbers as some PDF exports print them."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CHINESE_DIGITS[tens] + "十")
    return head + (_CHINESE_DIGITS[ones] if ones or not tens else "")


_ROMAN = ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))
_SUZHOU = "〡〢〣〤〥〦〧〨〩〸"  # 1 to 10 in the Suzhou numerals of account books
_DAXIE = "壹贰叁肆伍陆柒捌玖拾"  # 1 to 10 as financial documents write them, so no stroke can be added


def _roman(n: int) -> str:
    """3 -> iii: the lower-case page numbers of a PDF's front matter."""
    out = ""
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out += letters * count
    return out


def _page_counter(template: str, page: int, total: int) -> str:
    """Fill a page counter: {i}/{total} in digits, {wi}/{wtotal} full-width, {zi}/{ztotal} in Chinese,
    {ri} in lower-case Roman numerals and {ci} as a circled digit (test6), {Ri} in upper-case Roman
    numerals (test8), {gi} as a parenthesized ideograph ㈢ and {si} as a Suzhou numeral 〣 (test9), {di}
    in the financial numerals 叁 and {ni} as a digit in a black circle ❸ (test10), {pi} as a parenthesized
    digit ⑶ and {fi} as a digit with a full stop ⒊ (test11), {ui} as a Roman numeral character Ⅲ and {xi} as
    a double-circled digit ⓷ (test12)."""
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    forms = {"i": str(page), "total": str(total),
             "wi": str(page).translate(wide), "wtotal": str(total).translate(wide),
             "zi": _chinese_number(page), "ztotal": _chinese_number(total),
             "ri": _roman(page), "ci": chr(0x2460 + page - 1), "Ri": _roman(page).upper(),
             "gi": chr(0x3220 + page - 1), "si": _SUZHOU[page - 1],
             "di": _DAXIE[page - 1], "ni": chr(0x2776 + page - 1),
             "pi": chr(0x2474 + page - 1), "fi": chr(0x2488 + page - 1),
             "ui": chr(0x2160 + page - 1), "xi": chr(0x24F5 + page - 1)}
    for name, value in forms.items():
        template = template.replace("{" + name + "}", value)
    return template


# --- building one document --------------------------------------------------------------


class Builder:
    """Turns one plan entry into a noisy document, its gold text and its noise records."""

    def __init__(self, plan: dict, speeches: dict[str, SpeechText], variants: dict):
        self.plan = plan
        self.split = plan["split"]
        self.rng = random.Random(f"{SEED}:{plan['name']}")
        self.speeches = [speeches[s] for s in plan["speeches"]]
        self.noise: dict[str, dict] = plan["noise"]
        self.variants = variants
        self.lines: list[Line] = []
        self.extra: list[dict] = []  # noise added at render time (page counters, HTML chrome)

    # -- helpers
    def pick(self, kind: str, opts: dict | None = None) -> str:
        return self.fill(self.pick_raw(kind, opts or {}))

    def pick_raw(self, kind: str, opts: dict) -> str:
        """A noise template of a kind: the one the plan names (`variant`, test2), else a random one."""
        if "variant" in opts:
            return self.variants[kind][self.split][opts["variant"]]
        return self.rng.choice(self.variants[kind][self.split])

    def fill(self, template: str) -> str:
        sp = self.speeches[0]
        return template.format(
            title=sp.titles[-1], topic=sp.topic, n=self.rng.randint(800, 3200),
            p=self.rng.randint(2, 6), pct=self.rng.randint(40, 85),
            price=self.rng.choice(["3.00", "5.80", "9.90"]), i="{i}", total="{total}",
        )

    def noise_line(self, kind: str, text: str | None = None) -> Line:
        return Line([(text if text is not None else self.pick(kind), kind)], "noise")

    def body_lines(self) -> list[int]:
        return [i for i, line in enumerate(self.lines) if line.role == "para"]

    def between(self) -> int:
        """An index between two paragraphs of the body (never before the first title)."""
        paras = self.body_lines()
        return self.rng.choice(paras[1:]) if len(paras) > 1 else len(self.lines)

    @staticmethod
    def insert(line: Line, gold_pos: int, seg: Seg) -> None:
        """Insert a noise segment before the speech character at gold_pos.

        Positions count speech characters only, so they stay valid while noise is added.
        """
        count = 0
        for i, (text, kind) in enumerate(line.segs):
            if kind is None and gold_pos <= count + len(text):
                k = gold_pos - count
                parts = [(text[:k], None), seg, (text[k:], None)]
                line.segs[i : i + 1] = [p for p in parts if p[0]]
                return
            if kind is None:
                count += len(text)
        line.segs.append(seg)

    # -- the speeches and their gold
    def speeches_to_lines(self) -> list[dict]:
        gold = []
        marker = self.noise.get("marker")
        for n, sp in enumerate(self.speeches):
            paragraphs = list(sp.paragraphs)
            truncate = self.noise.get("paywall", {}).get("truncate")
            if truncate:
                paragraphs = self.truncate(paragraphs, truncate)
            titles = [Line([(t, None)], "title") for t in sp.titles]
            if marker:
                text = self.variants["marker"][self.split][marker["set"]][n]
                if marker["place"] == "glued":
                    titles[0].segs.insert(0, (text, "marker"))
                else:
                    self.lines.append(Line([(text, "marker")], "marker"))
            self.lines += titles
            for p in paragraphs:
                self.lines.append(Line([(p, None)], "heading" if _WHOLE_HEADING.match(p) else "para"))
            if truncate:
                self.lines.append(self.noise_line("paywall"))
                self.lines.append(self.noise_line("paywall"))
            between = self.noise.get("template", {}).get("between")
            if between and len(self.speeches) > 1:
                self.tail_or_line("template", between, self.fill_for(sp))
            gold.append({"titles": list(sp.titles), "paragraphs": paragraphs})
        return gold

    def fill_for(self, sp: SpeechText) -> str:
        template = self.rng.choice(self.variants["template"][self.split])
        return template.format(title=sp.titles[-1], topic=sp.topic)

    def truncate(self, paragraphs: list[str], share: float) -> list[str]:
        """A paywalled page shows the first part only; the gold is what it shows."""
        keep = max(3, round(len(paragraphs) * share))
        while keep < len(paragraphs) and _WHOLE_HEADING.match(paragraphs[keep - 1]):
            keep += 1  # a heading with nothing under it would be nobody's chunk: not what this tests
        kept = paragraphs[:keep]
        sentences = re.findall(r"[^。；！？]+[。；！？]", kept[-1])
        if len(sentences) >= 2:
            kept[-1] = "".join(sentences[: max(1, len(sentences) // 2)])
        return kept

    def tail_or_line(self, kind: str, place: str, text: str) -> None:
        if place == "glued":
            self.lines[-1].segs.append((text, kind))
        else:
            self.lines.append(self.noise_line(kind, text))

    # -- noise kinds
    def add_pinyin(self, opts: dict) -> None:
        table: dict[str, str] = self.variants["pinyin_dict"]
        style = self.variants["pinyin"][self.split][opts["style"]]
        if opts.get("rows"):
            self.add_pinyin_rows(table, style)
            return
        if opts.get("footnotes"):
            self.add_pinyin_notes(table, style, opts["rate"])
            return
        if opts.get("words"):
            self.add_pinyin_words(style, opts["rate"], opts.get("ruby", False))
            return
        for line in self.lines:
            if line.role == "noise":
                continue
            gold = "".join(t for t, k in line.segs if k is None)
            for pos in range(len(gold) - 1, -1, -1):
                py = table.get(gold[pos])
                if py and self.rng.random() < opts["rate"]:
                    if isinstance(style, list):  # test8: a gloss around the character, {学|xué}
                        self.add_wrapped(line, pos, [part.format(**_pinyin_forms(py)) for part in style])
                        continue
                    gloss = style.format(**_pinyin_forms(py))
                    if opts.get("ruby"):
                        self.add_ruby(line, pos, gloss)
                    elif opts.get("tagged"):  # test11: the reading in a tag of its own after the character
                        self.add_tagged(line, pos, gloss)
                    else:
                        self.insert(line, pos + 1, (gloss, "pinyin"))

    def add_pinyin_rows(self, table: dict[str, str], style: str) -> None:
        """A row of readings above each paragraph (test10), as a copy of a reading page that sets the
        pinyin on a line of its own over the characters comes out: one syllable per character."""
        for index in range(len(self.lines) - 1, -1, -1):
            line = self.lines[index]
            if line.role in ("para", "heading"):
                gold = "".join(t for t, k in line.segs if k is None)
                row = "".join(style.format(**_pinyin_forms(table[ch])) for ch in gold if ch in table)
                self.lines.insert(index, self.noise_line("pinyin", row))

    def add_pinyin_notes(self, table: dict[str, str], style: dict, rate: float) -> None:
        """Readings as footnotes (test11), as an annotated e-book copies out: a superscript number after
        each glossed character, counted again on each line of the speech, and under that line a line of notes
        that give each numbered character its reading. Numbers and note lines are noise."""
        for index in range(len(self.lines) - 1, -1, -1):
            line = self.lines[index]
            if line.role == "noise":
                continue
            gold = "".join(t for t, k in line.segs if k is None)
            chosen = [pos for pos, ch in enumerate(gold) if ch in table and self.rng.random() < rate]
            if not chosen:
                continue
            numbers = [str(k).translate(_SUPER_DIGITS) for k in range(1, len(chosen) + 1)]
            entries = [style["entry"].format(**_pinyin_forms(table[gold[pos]]), char=gold[pos], sk=sk)
                       for pos, sk in zip(chosen, numbers)]
            for pos, sk in zip(chosen, numbers):
                self.insert(line, pos + 1, (style["ref"].format(sk=sk), "pinyin"))
            note = style["line"].format(entries=style["sep"].join(entries))
            self.lines.insert(index + 1, self.noise_line("pinyin", note))

    def add_pinyin_words(self, style: dict, rate: float, ruby: bool) -> None:
        """Readings of two-character words, not of single characters (test12), as reading pages and
        textbooks gloss the words of a text: 民間⦉mínjiān⦊ in plain text, or one ruby over both characters.
        The words and their readings are the split's own list (pinyin_words)."""
        words: dict[str, str] = self.variants["pinyin_words"]
        for line in self.lines:
            if line.role == "noise":
                continue
            gold = "".join(t for t, k in line.segs if k is None)
            pos = len(gold) - 2
            while pos >= 0:
                reading = words.get(gold[pos : pos + 2])
                if reading and self.rng.random() < rate:
                    forms = [_pinyin_forms(syllable) for syllable in reading.split()]
                    joined = {key: style["join"].join(f[key] for f in forms) for key in forms[0]}
                    gloss = style["word"].format(**joined)
                    if ruby:
                        self.add_ruby(line, pos, gloss, width=2)
                    else:
                        self.insert(line, pos + 2, (gloss, "pinyin"))
                    pos -= 1  # glossed words do not overlap
                pos -= 1

    def add_tagged(self, line: Line, pos: int, gloss: str) -> None:
        """A gloss with tags of its own right after the character at pos (test7, test11): the tags are
        markup of the page, only the reading is its text."""
        pieces = [piece for piece in re.split("(<[^>]+>)", gloss) if piece]
        for piece in reversed(pieces):  # each lands right after the character, before the ones already in
            self.insert(line, pos + 1, (piece, "markup" if piece.startswith("<") else "pinyin"))

    def add_ruby(self, line: Line, pos: int, gloss: str, width: int = 1) -> None:
        """<ruby>字<rt>zì</rt></ruby> around the `width` characters at pos (test7; a word of two, test12), as
        pages for young readers show the reading above them."""
        self.add_tagged(line, pos + width - 1, gloss + "</ruby>")
        self.insert(line, pos, ("<ruby>", "markup"))

    def add_wrapped(self, line: Line, pos: int, parts: list[str]) -> None:
        """A gloss written around the character at pos (test8), as plain-text ruby does it: {学|xué}
        in a Markdown extension's syntax, ｜學《xué》 in an e-text's; both parts are noise. test9's
        style writes the reading before the character only (an empty second part), as a copy of a
        page that sets the reading above the character comes out."""
        before, after = parts
        if after:
            self.insert(line, pos + 1, (after, "pinyin"))
        self.insert(line, pos, (before, "pinyin"))

    def antiscrape_string(self, shapes: list[int] | None = None) -> str:
        cfg = self.variants["antiscrape"][self.split]
        if isinstance(cfg, list):
            # Several shapes of string (test2): one drawn per string, from the document's own.
            cfg = cfg[self.rng.choice(shapes)] if shapes else self.rng.choice(cfg)
        chars = cfg["alphabet"] * 3 + cfg["punct"]  # mostly letters and digits, some symbols
        tokens = [
            "".join(self.rng.choice(chars) for _ in range(self.rng.randint(*cfg["token_len"])))
            for _ in range(self.rng.randint(*cfg["tokens"]))
        ]
        return self.rng.choice(cfg["seps"]).join(tokens)

    def add_antiscrape(self, opts: dict) -> None:
        for i in self.body_lines():
            line = self.lines[i]
            gold = "".join(t for t, k in line.segs if k is None)
            count = len(gold) * opts["per100"] / 100
            # The fractional part is a chance of one more, so short paragraphs get some too.
            count = int(count) + int(self.rng.random() < count - int(count))
            bounds = [m.end() for m in re.finditer(r"[。；，、：]", gold) if m.end() < len(gold)]
            for _ in range(count):
                if bounds and self.rng.random() >= opts["mid"]:
                    pos = self.rng.choice(bounds)
                else:
                    pos = self.rng.randint(2, max(2, len(gold) - 2))
                # Most forums space them off; a plan's "pad" (test5) sets how often, its "pad_char"
                # (test8) with what: a page that writes &nbsp; leaves no-break spaces.
                pad = opts.get("pad_char", " ") if self.rng.random() < opts.get("pad", 0.67) else ""
                text = self.antiscrape_string(opts.get("shapes"))
                if opts.get("hidden"):
                    self.add_hidden(line, pos, text)
                else:
                    self.insert(line, pos, (pad + text + pad, "antiscrape"))

    def add_hidden(self, line: Line, pos: int, text: str) -> None:
        """An anti-scraping run in a span the page's style hides (test9): a reader does not see it, but
        it is a text node of the page, which a parser that ignores styles keeps. The tags are markup."""
        # Each insert at pos lands before the ones already there: the closing tag goes in first.
        self.insert(line, pos, ("</span>", "markup"))
        self.insert(line, pos, (text, "antiscrape"))
        self.insert(line, pos, ('<span style="display:none">', "markup"))

    def add_watermark(self, opts: dict) -> None:
        mark = self.pick("watermark", opts)
        for i in self.body_lines():
            # test11: after every so many characters, wherever they fall, as some sites stamp what they serve
            if opts.get("every"):
                gold = "".join(t for t, k in self.lines[i].segs if k is None)
                for pos in range(opts["every"], len(gold), opts["every"]):
                    self.insert(self.lines[i], pos, (mark, "watermark"))
                continue
            if opts.get("lead"):  # test9: before the paragraph's first character, as some mirrors brand it
                if self.rng.random() < opts["share"]:
                    self.lines[i].segs.insert(0, (mark, "watermark"))
                continue
            if opts.get("inner"):  # test10: after a sentence inside the paragraph, not after its last
                gold = "".join(t for t, k in self.lines[i].segs if k is None)
                ends = [m.end() for m in re.finditer("[。！？]", gold) if m.end() < len(gold)]
                if ends and self.rng.random() < opts["share"]:
                    self.insert(self.lines[i], self.rng.choice(ends), (mark, "watermark"))
                continue
            text, kind = self.lines[i].segs[-1]
            # Glued after the paragraph's last sentence, never after other noise.
            if kind is None and text.endswith(("。", "！", "？")) and self.rng.random() < opts["share"]:
                if opts.get("before_stop"):  # test12: before the final stop, as some sites stamp the sentence
                    parts = [(text[:-1], None), (mark, "watermark"), (text[-1], None)]
                    self.lines[i].segs[-1:] = [part for part in parts if part[0]]
                else:
                    self.lines[i].segs.append((mark, "watermark"))
        if opts.get("title"):  # test8: after each speech's first title line too, as sites brand headings
            for n, line in enumerate(self.lines):
                if line.role == "title" and (n == 0 or self.lines[n - 1].role != "title"):
                    line.segs.append((mark, "watermark"))

    def add_paywall(self, opts: dict) -> None:
        paras = self.body_lines()
        for i in self.rng.sample(paras, min(opts.get("tails", 0), len(paras))):
            self.lines[i].segs.append((self.pick("paywall"), "paywall"))
        for _ in range(opts.get("lines", 0)):
            self.lines.insert(self.between(), self.noise_line("paywall"))
        for _ in range(opts.get("end", 0)):
            self.lines.append(self.noise_line("paywall"))
        # test12: a mobile page's fold, the button that shows the rest, copied in after a comma mid-paragraph
        for variant in opts.get("fold", []):
            spots = []
            for i in self.body_lines():
                gold = "".join(t for t, k in self.lines[i].segs if k is None)
                spots += [(i, m.end()) for m in re.finditer("，", gold)]
            i, pos = self.rng.choice(spots)
            self.insert(self.lines[i], pos, (self.pick("paywall", {"variant": variant}), "paywall"))

    def add_template(self, opts: dict) -> None:
        first = next(i for i, line in enumerate(self.lines) if line.role == "title")
        if opts.get("before") == "glued":
            self.lines[first].segs.insert(0, (self.pick("template"), "template"))
        elif opts.get("before") == "line":
            self.lines.insert(first, self.noise_line("template"))
        if opts.get("after"):
            self.tail_or_line("template", opts["after"], self.pick("template"))

    def add_lines(self, kind: str, opts: dict) -> None:
        """Own-line noise: at the top, between paragraphs, at the bottom."""
        for _ in range(opts.get("between", 0)):
            self.lines.insert(self.between(), self.noise_line(kind, self.pick(kind, opts)))
        # test10: runs of named strings between two paragraphs, as a page sets a related-search box or a
        # poll inside the article, or appends its copyright notice to each part of the text copied.
        for run in opts.get("blocks", []):
            at = self.between()
            self.lines[at:at] = [self.noise_line(kind, self.pick(kind, {"variant": v})) for v in run]
        for variant in opts.get("split", []):
            self.split_paragraph(self.noise_line(kind, self.pick(kind, {"variant": variant})))
        for _ in range(opts.get("bottom", 0)):
            self.lines.append(self.noise_line(kind, self.pick(kind, opts)))
        top = [self.noise_line(kind, self.pick(kind, opts)) for _ in range(opts.get("top", 0))]
        # test6: runs of named strings in order, above everything ("head") or below ("foot"),
        # as a page shows a consent bar, a comment section or a WeChat article's foot.
        head = [self.noise_line(kind, self.pick(kind, {"variant": v})) for v in opts.get("head", [])]
        self.lines[0:0] = head + top
        self.lines += [self.noise_line(kind, self.pick(kind, {"variant": v})) for v in opts.get("foot", [])]
        if "toc" in opts:
            self.add_toc(kind, self.variants["toc"][self.split][opts["toc"]])
        if opts.get("tails"):  # test5: glued after a paragraph's last sentence, as WeChat mirrors do
            paras = self.body_lines()
            for i in self.rng.sample(paras, min(opts["tails"], len(paras))):
                self.lines[i].segs.append((self.pick(kind, opts), kind))

    def split_paragraph(self, noise: Line) -> None:
        """A noise line between two halves of one paragraph, cut after a sentence (test11), as a page sets
        an ad block inside the text: the gold keeps the paragraph whole."""
        cuts = []
        for i in self.body_lines():
            gold = "".join(t for t, k in self.lines[i].segs if k is None)
            cuts += [(i, m.end()) for m in re.finditer("。", gold) if m.end() < len(gold)]
        i, cut = self.rng.choice(cuts)
        head: list[Seg] = []
        tail: list[Seg] = []
        count = 0  # speech characters before the segment; noise right at the cut stays with the first half
        for text, kind in self.lines[i].segs:
            if tail or (kind is None and count >= cut):
                tail.append((text, kind))
            elif kind is None and count + len(text) > cut:
                head.append((text[: cut - count], None))
                tail.append((text[cut - count :], None))
            else:
                head.append((text, kind))
            count += len(text) if kind is None else 0
        self.lines[i : i + 1] = [Line(head, "para"), noise, Line(tail, "para")]

    def add_toc(self, kind: str, style: dict) -> None:
        """A document site's table of contents above the title: the speech's own whole-line
        headings with page numbers (test6), so the headings stand twice in the file."""
        entries, page = [style["head"]], 1
        for line in self.lines:
            if line.role == "heading":
                page += self.rng.randint(0, 1)
                entries.append(style["entry"].format(heading=line.text(), page=page))
        first = next(i for i, line in enumerate(self.lines) if line.role == "title")
        self.lines[first:first] = [self.noise_line(kind, entry) for entry in entries]

    def add_pages(self) -> None:
        """Page counters between paragraphs (wrapped layouts get theirs at render time)."""
        count = self.noise["page"].get("between", 0)
        total = count + 1
        template = self.pick_raw("page", self.noise["page"])
        spots = sorted(self.rng.sample(self.body_lines()[1:], count))
        for n, index in enumerate(reversed(spots)):
            page = count - n
            text = _page_counter(template, page, total)
            self.lines.insert(index, self.noise_line("page", text))

    def add_html_residue(self, opts: dict) -> None:
        cfg = self.variants["html"][self.split]
        if isinstance(cfg, list):  # several editors' residue (test5): the plan says which
            cfg = cfg[opts.get("flavour", 0)]
        rng = self.rng
        open_tag, close_tag = rng.choice(cfg["open"]), rng.choice(cfg["close"])
        body = [line for line in self.lines if line.role != "noise"]
        for line in body:
            if opts["tags"] and line.role != "marker":
                line.segs.insert(0, (open_tag, "html"))
                line.segs.append((close_tag, "html"))
            if opts["indent"] and line.role == "para":
                line.segs.insert(1 if opts["tags"] else 0, (rng.choice(cfg["indent"]), "html"))
        paras = [line for line in body if line.role == "para"]
        for line in rng.sample(paras, min(opts["br"], len(paras))):
            gold = "".join(t for t, k in line.segs if k is None)
            ends = [m.end() for m in re.finditer("。", gold) if m.end() < len(gold)]
            if ends:
                self.insert(line, rng.choice(ends), (rng.choice(cfg["br"]), "html"))
        for line in rng.sample(paras, min(opts["span"], len(paras))):
            gold = "".join(t for t, k in line.segs if k is None)
            sentences = [m.span() for m in re.finditer(r"[^。]+。", gold)]
            start, end = rng.choice(sentences) if sentences else (0, len(gold))
            left, right = rng.choice(cfg["span"])
            self.insert(line, end, (right, "html"))
            self.insert(line, start, (left, "html"))
        if opts["quotes"]:
            left, right = rng.choice(cfg["quotes"])
            for line in body:
                segs: list[Seg] = []
                for text, kind in line.segs:
                    if kind is not None:
                        segs.append((text, kind))
                        continue
                    for piece in re.split("([“”])", text):
                        if piece == "“":
                            segs.append((left, "html:“"))
                        elif piece == "”":
                            segs.append((right, "html:”"))
                        elif piece:
                            segs.append((piece, None))
                line.segs = segs

    # -- the whole document
    def build(self) -> Built:
        gold = self.speeches_to_lines()
        noise = self.noise
        # Character-level noise first, then glued tails, then whole lines around them.
        if "pinyin" in noise:
            self.add_pinyin(noise["pinyin"])
        if "antiscrape" in noise:
            self.add_antiscrape(noise["antiscrape"])
        if "watermark" in noise:
            self.add_watermark(noise["watermark"])
        if "paywall" in noise:
            self.add_paywall(noise["paywall"])
        if "template" in noise:
            self.add_template(noise["template"])
        if "page" in noise and self.plan.get("layout") != "wrap":
            self.add_pages()
        for kind in ("ad", "seo", "site_heading", "nav", "banner"):
            if kind in noise and kind != "site_heading":
                self.add_lines(kind, noise[kind])
            elif kind in noise:
                # A compilation page counts its speeches; a single-speech page shows the first of several.
                n = len(self.speeches) if len(self.speeches) > 1 else self.rng.randint(3, 8)
                template = self.rng.choice(self.variants["site_heading"][self.split])
                heading = template.format(topic=self.speeches[0].topic, n=n)
                self.lines.insert(0, self.noise_line("site_heading", heading))
        if "html" in noise:
            self.add_html_residue(noise["html"])
        fmt = self.plan.get("fmt", "txt")
        if fmt == "html":
            text, layout = self.render_html(), ["html-page"]
        elif fmt == "md":
            text, layout = self.render_md(), ["markdown"]
        else:
            text, layout = self.render_txt()
        # Saved on Windows (crlf, test6); exported from a layout program, which ends lines with
        # U+2028 LINE SEPARATOR (u2028, test7); saved by a classic Mac editor, lines ended by CR alone
        # (cr, test9); converted to Windows line ends twice, each line ended by CR CR LF (crcrlf, test10);
        # exported from a typesetting program, paragraphs ended by U+2029 PARAGRAPH SEPARATOR (u2029, test11);
        # out of a word processor whose paragraphs were ended by manual line breaks, U+000B (vt, test12).
        for name, newline in (("crlf", "\r\n"), ("u2028", "\u2028"), ("cr", "\r"), ("crcrlf", "\r\r\n"),
                              ("u2029", "\u2029"), ("vt", "\x0b")):
            if self.plan.get(name):
                text, layout = text.replace("\n", newline), layout + [name]
        records = [
            {"kind": kind.split(":")[0], "text": seg, **({"replaces": kind[5:]} if ":" in kind else {})}
            for line in self.lines for seg, kind in line.segs if kind and kind != "markup"
        ] + self.extra
        return Built(text, gold, records, layout)

    # -- layouts
    def render_txt(self) -> tuple[str, list[str]]:
        layout = self.plan.get("layout", "normal")
        indent = self.plan.get("indent", "")
        texts = [(indent if line.role == "para" else "") + line.text() for line in self.lines]
        tags = [layout] + (["indent"] if indent else [])
        if self.plan.get("clippings"):
            texts, tags = self.clippings(texts), tags + ["clippings"]
        if layout == "normal":
            return "\n".join(texts) + "\n", tags
        if layout == "blank":
            return "\n\n".join(texts) + "\n", tags
        if layout == "oneline":
            return self.plan.get("sep", "").join(texts), tags
        # A layout tag for each wrapped-copy option the plan sets: "line_numbers" (test10), "ocr" (test11).
        options = [("blank", "blank"), ("line_numbers", "line-numbers"), ("ocr", "ocr")]
        return self.render_wrapped([line.text() for line in self.lines]), tags + [
            tag for option, tag in options if self.plan.get(option)
        ]

    def clippings(self, texts: list[str]) -> list[str]:
        """Every line as one highlight of an e-reader's clippings export (test12): the book's name, where the
        highlight stands and when it was made, the line, a separator. The furniture is nav noise."""
        style = self.variants["clipping"][self.split]
        rng = self.rng
        book = self.fill(style["book"])
        day, location = datetime.date(2025, rng.randint(1, 12), rng.randint(1, 28)), rng.randint(80, 400)
        out: list[str] = []
        for text in texts:
            start, location = location, location + 1 + len(text) // 40
            meta = style["meta"].format(start=start, end=location, year=day.year, month=day.month,
                                        day=day.day, week="一二三四五六日"[day.weekday()], half="下午",
                                        hour=9, minute=rng.randint(0, 59), second=rng.randint(0, 59))
            out += [book, meta, "", text, style["sep"]]
            self.extra += [{"kind": "nav", "text": piece} for piece in (book, meta, style["sep"])]
        return out

    def render_wrapped(self, texts: list[str]) -> str:
        """Hard line breaks every ~width characters, as text copied out of a PDF viewer."""
        width = self.plan["width"]
        rows: list[str] = []
        for text in texts:
            pos = 0
            while pos < len(text):
                step = max(20, min(40, width + self.rng.randint(-2, 2)))
                rows.append(text[pos : pos + step])
                pos += step
            if self.plan.get("blank"):
                rows.append("")
        per_page = self.plan.get("page_lines", 0)
        if not per_page or "page" not in self.noise:
            return "\n".join(rows) + "\n"
        numbered = self.plan.get("line_numbers")
        total = math.ceil(len(rows) / per_page)
        template = self.pick_raw("page", self.noise["page"])
        banner = self.noise.get("banner", {})
        if "header" in banner:  # test6: the title and the page number, as a PDF's running header
            # test11: a list of two, for a book-like PDF whose even and odd pages carry different headers
            chosen = banner["header"] if isinstance(banner["header"], list) else [banner["header"]]
            headers = [self.fill(self.variants["banner"][self.split][n]) for n in chosen]
        else:
            headers = [self.pick("banner")] if banner.get("running") else []
        out: list[str] = []
        for page in range(total):
            first = len(out)
            # A PDF's running header stands on every later page; some print it on the first (test8).
            if headers and (page > 0 or self.plan.get("header_first")):
                out.append(_page_counter(headers[page % len(headers)], page + 1, total))
                self.extra.append({"kind": "banner", "text": out[-1]})
            if numbered:  # test10: a review draft's line numbers, counted again on each page
                for n, row in enumerate(rows[page * per_page : (page + 1) * per_page], 1):
                    out.append(numbered.format(n=n) + row)
                    self.extra.append({"kind": "page", "text": numbered.format(n=n)})
            else:
                out += rows[page * per_page : (page + 1) * per_page]
            if self.plan.get("ocr"):  # test11: a scanned page's edge, read by OCR as a line of stray marks
                out.append(self.rng.choice(self.variants["ocr"][self.split]))
                self.extra.append({"kind": "page", "text": out[-1]})
            if self.plan.get("formfeed") and page > 0:
                out[first] = "\f" + out[first]  # pdftotext starts each later page with a form feed (test5)
            counter = _page_counter(template, page + 1, total)
            if self.plan.get("glue_page"):
                out[-1] += counter  # test7: the footer runs on from the page's last line when copied
            else:
                out.append(counter)
            self.extra.append({"kind": "page", "text": counter})
        return "\n".join(out) + "\n"

    def render_md(self) -> str:
        out = []
        first_title = True
        for line in self.lines:
            text = line.text()
            if line.role == "title":
                out.append(("# " if first_title else "") + text)
                first_title = False
            elif line.role == "heading":
                out.append("## " + text)
            elif line.role == "noise" and line.segs[0][1] == "seo":
                label, _, rest = text.partition("：")
                out.append(f"**{label}**：{rest}" if rest else f"**{text}**")
            elif line.role == "noise":
                # A note app's export (test6) writes the page's furniture as it found it.
                out.append(("> " if self.plan.get("quote_noise", True) else "") + text)
            else:
                out.append(text)
        return "\n\n".join(out) + "\n"

    def render_html(self) -> str:
        page = self.variants["html_page"][self.split]
        if isinstance(page, list):  # several sites (test2): the plan says which
            page = page[self.noise["html_page"].get("page", 0)]
        sp = self.speeches[0]
        rng = self.rng
        title_format = page.get("title", "{title}_{topic}讲话稿_{site}")
        page_title = title_format.format(title=sp.titles[-1], topic=sp.topic, site=page["site"])
        date = f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)} {rng.randint(8, 22)}:{rng.randint(10, 59)}"
        info_format = page.get("info", "发布时间：{date}  来源：{site}  浏览：{views}次")
        info = info_format.format(date=date, site=page["site"], views=rng.randint(300, 9000))
        chrome = [("nav", page_title), ("nav", info)] + [("nav", t) for t in page["sidebar"]]
        chrome += [("nav", t) for t in page["footer"]]
        self.extra += [{"kind": k, "text": t} for k, t in chrome]

        def esc(line: Line) -> str:
            # Real quotes are written as entities in some pages; the parser decodes them. Ruby
            # markup (test7) is the page's own and is written as it is.
            text = "".join(t if k == "markup" else html.escape(t, quote=False) for t, k in line.segs)
            return text.replace("“", "&ldquo;").replace("”", "&rdquo;") if rng.random() < 0.5 else text

        top = [line for line in self.lines if line.role == "noise" and line.segs[0][1] == "nav"]
        titles = [line for line in self.lines if line.role == "title"]
        body = [line for line in self.lines if line not in top and line not in titles]
        parts = [
            "<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
            f"<title>{html.escape(page_title)}</title>",
            "<style>body{font-family:SimSun,serif}.nav a{margin:0 4px}.content p{text-indent:2em}</style>",
            "<script>var _hmt = _hmt || []; (function(){ /* site statistics */ })();</script>",
            "</head>", "<body>",
            '<div class="nav">' + "".join(f"<span>{html.escape(n.text())}</span>" for n in top) + "</div>",
            '<div class="article">',
        ]
        for n, line in enumerate(titles):
            tag = "h1" if n == 0 else "h2"
            parts.append(f"<{tag}>{esc(line)}</{tag}>")
        parts.append(f'<div class="info">{html.escape(info)}</div>')
        parts.append('<div class="content">')
        para = page.get("para", "<p>{}</p>")  # test5 sites wrap paragraphs their own way
        parts += [para.format(esc(line)) for line in body]
        parts += ["</div>", "</div>", '<div class="sidebar">', f"<h3>{page['sidebar'][0]}</h3>", "<ul>"]
        parts += [f'<li><a href="/fanwen/{rng.randint(1000, 9999)}.html">{t}</a></li>'
                  for t in page["sidebar"][1:]]
        parts += ["</ul>", "</div>", '<div class="footer">']
        parts += [f"<p>{html.escape(t)}</p>" for t in page["footer"]]
        parts += ["</div>", "</body>", "</html>"]
        return "\n".join(parts) + "\n"


# --- writing the set ----------------------------------------------------------------------


def write_set(out: Path, splits: tuple[str, ...] = SPLITS) -> dict[str, int]:
    used = [s for doc in PLAN for s in doc["speeches"]]
    if len(used) != len(set(used)):
        raise ValueError("a speech is used by two documents")
    counts: dict[str, int] = {}
    for split in splits:
        prose, strings = SOURCES[split]
        speeches = load_speeches(HERE / prose)
        variants = json.loads((HERE / strings).read_text(encoding="utf-8"))
        root = out / split
        for sub in ("docs", "gold"):
            shutil.rmtree(root / sub, ignore_errors=True)
            (root / sub).mkdir(parents=True)
        labels = []
        for doc in (d for d in PLAN if d["split"] == split):
            built = Builder(doc, speeches, variants).build()
            encoding = doc.get("encoding", "utf-8")
            (root / "docs" / doc["name"]).write_bytes(built.text.encode(encoding))
            stem = Path(doc["name"]).stem
            gold = {"doc": doc["name"], "speeches": built.gold}
            (root / "gold" / f"{stem}.json").write_text(
                json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )
            labels.append({
                "doc": doc["name"],
                "gold": f"gold/{stem}.json",
                "format": doc.get("fmt", "txt"),
                "encoding": encoding,
                "layout": built.layout,
                "speeches": len(built.gold),
                "kinds": sorted({r["kind"] for r in built.noise}),
                "noise": built.noise,
            })
        (root / "labels.json").write_text(
            json.dumps({"split": split, "seed": SEED, "docs": labels}, ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        counts[split] = len(labels)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--split", choices=SPLITS, action="append",
                        help="write only this split (repeatable); default: every split")
    args = parser.parse_args()
    counts = write_set(args.out, tuple(args.split or SPLITS))
    print(", ".join(f"{split}: {n} docs" for split, n in counts.items()))


if __name__ == "__main__":
    main()

"""Named constants for the parsers: charsets, tag lists, class patterns, boilerplate phrases.

Kept apart from the code so that a new site's furniture is one line here, not a code change.
The phrases come from the five sample dumps in ``../shared/seeds`` and the sites they were
taken from (opdc.go.th old and new, a shopup-engine news site, ryt9, thaipr).
"""

from __future__ import annotations

import re

# --- encodings -------------------------------------------------------------------------------

THAI_CHARSET_LABELS = frozenset(
    {
        "tis-620",
        "tis620",
        "tis_620",
        "iso-8859-11",
        "iso8859-11",
        "iso_8859-11",
        "windows-874",
        "x-windows-874",
        "cp874",
        "ms874",
        "dos-874",
    }
)

BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG", "PNG image"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"\x7fELF", "executable"),
    (b"MZ", "executable"),
    (b"OggS", "Ogg media"),
    (b"ID3", "MP3 audio"),
    (b"\xd0\xcf\x11\xe0", "Office document"),
)

# --- dates -----------------------------------------------------------------------------------

THAI_MONTHS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("มกราคม", "ม.ค.", "ม.ค", "มค.", "มค"), 1),
    (("กุมภาพันธ์", "ก.พ.", "ก.พ", "กพ.", "กพ"), 2),
    (("มีนาคม", "มี.ค.", "มี.ค", "มีค.", "มีค"), 3),
    (("เมษายน", "เม.ย.", "เม.ย", "เมย.", "เมย"), 4),
    (("พฤษภาคม", "พ.ค.", "พ.ค", "พค.", "พค"), 5),
    (("มิถุนายน", "มิ.ย.", "มิ.ย", "มิย.", "มิย"), 6),
    (("กรกฎาคม", "กรกฏาคม", "ก.ค.", "ก.ค", "กค.", "กค"), 7),
    (("สิงหาคม", "ส.ค.", "ส.ค", "สค.", "สค"), 8),
    (("กันยายน", "ก.ย.", "ก.ย", "กย.", "กย"), 9),
    (("ตุลาคม", "ต.ค.", "ต.ค", "ตค.", "ตค"), 10),
    (("พฤศจิกายน", "พ.ย.", "พ.ย", "พย.", "พย"), 11),
    (("ธันวาคม", "ธ.ค.", "ธ.ค", "ธค.", "ธค"), 12),
)

ENGLISH_MONTHS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("January", "Jan"), 1),
    (("February", "Feb"), 2),
    (("March", "Mar"), 3),
    (("April", "Apr"), 4),
    (("May",), 5),
    (("June", "Jun"), 6),
    (("July", "Jul"), 7),
    (("August", "Aug"), 8),
    (("September", "Sept", "Sep"), 9),
    (("October", "Oct"), 10),
    (("November", "Nov"), 11),
    (("December", "Dec"), 12),
)

# --- HTML structure --------------------------------------------------------------------------

# Code, not text: removed from the tree before anything reads it (after metadata, which needs
# the JSON-LD scripts).
SCRIPT_TAGS = ("script", "style", "noscript", "template")
# All the text of a page built by JavaScript, as served before its scripts run: a loading
# sign or a request to switch JavaScript on is no article (the crawler's [render] runs them).
LOADING_PLACEHOLDER = re.compile(
    r"^\W*(?:กำลังโหลด(?:ข้อมูล|ข่าว|เนื้อหา)?|โปรดรอสักครู่|loading|please wait"
    r"|(?:please |you need to )?enable javascript[^\n]{0,80}"
    r"|กรุณาเปิด(?:ใช้งาน)?\s*javascript[^\n]{0,80})\W*$",
    re.IGNORECASE,
)
# Removed before extraction: never article text.
DROP_TAGS = (
    *SCRIPT_TAGS,
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "button",
    "select",
    "textarea",
    "input",
    "nav",
    "aside",
    "footer",
    "menu",
    "dialog",
    "map",
    "link",
    "meta",
    "figcaption",
    "title",  # the page's <title>, read by the metadata already, is no body text
)

# Tags that end a paragraph: the text before and after them is two paragraphs.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "figure",
        "figcaption",
        "hr",
        "center",
        "address",
        "body",
        "html",
        # the other elements a browser lays out as blocks
        "form",
        "fieldset",
        "legend",
        "details",
        "summary",
        "hgroup",
        "caption",
        "dir",
        "listing",
        "xmp",
        "plaintext",
        "search",
        "nav",
        "aside",
        "footer",
        "menu",
        "dialog",
        "noframes",
    }
)
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Blocks that are one paragraph: their score goes to the element around them.
PARAGRAPH_TAGS = frozenset(
    {"p", "li", "pre", "blockquote", "dd", "dt", "figcaption", "address", "th"} | HEADING_TAGS
)
# Never removed for their class names: they are the page, or the article itself.
NEVER_DROP_TAGS = frozenset({"html", "body", "article", "main"})
# class/id words that mark furniture: such elements are removed before scoring unless their
# names also read as content ("has-sidebar main-content").
UNLIKELY_NAMES = re.compile(
    r"(?:^|[\s_-])(?:comments?|footer|sidebar|side-bar|widget|share|sharing|social|sns|"
    r"related|relate|relatedposts|recommend|recommended|popular|menu|nav|navbar|navigation|breadcrumbs?|"
    r"banner|advert|ads|adsense|sponsor|sponsored|promo|subscribe|newsletter|masthead|login|"
    r"signup|pagination|pager|cookie|modal|popup|outbrain|taboola|toolbar|tagcloud|skip|caption|"
    r"wp-caption|image-credit|photo-credit|most-popular|mostpopular|most-read|"
    r"hidden|print|counter|view-?count|rss|disqus|shoutbox|agegate|"
    r"regwall|paywall-(?:prompt|message|banner|promo)|subscription-(?:box|banner|promo|prompt)|"
    r"byline|author-box|author-bio|author-info|authorbox|about-author|"
    r"author-?profile|writer-?profile|reporter-?profile|reactions?)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Words that lower a container's score without removing it.
NEGATIVE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:comments?|footer|foot|sidebar|widget|share|social|related|menu|nav|"
    r"banner|ads?|sponsor|promo|header|meta|caption|credit|byline|author|tags?|card|teaser|"
    r"latest|recent|more-news|morenews|search|tools|jump|hits|views|combx|community|extra|"
    r"remark|shadow|sidebar|skyscraper|tweet|twitter)(?:$|[\s_-])",
    re.IGNORECASE,
)
POSITIVE_NAMES = re.compile(
    r"(?:^|[\s_-])(?:article|articles|body|content|entry|main|post|story|text|detail|"
    r"news-detail|newsdetail|blog|prose|page-content|single|release|itemfulltext|"
    r"field-item|field-items|td-post-content|entry-content|post-content|article-body|"
    r"articlebody|news_detail|content-detail|desc)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Names of the box that holds an article's lead apart from its body. Not "standfirst", "dek"
# or "summary": news sites use those for a teaser that the public benchmark's gold leaves out.
LEAD_NAMES = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|intro|news-lead|article-lead|article-intro)(?:$|[\s_-])",
    re.IGNORECASE,
)
# Hidden by inline style: never shown to readers.
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

# --- text lines ------------------------------------------------------------------------------

# A line that is only this is furniture (share widgets, print links, counters, credits).
BOILERPLATE_LINES = re.compile(
    r"^(?:"
    r"แชร์หน้านี้|แชร์|แบ่งปัน|share(?: this)?|tweet|print|พิมพ์|พิมพ์หน้านี้|ส่งต่อ|"
    r"share\s*แชร์\s*พิมพ์หน้านี้|facebook|twitter|line|email|อีเมล|"
    r"(?:ผู้ชม|ผู้เข้าชม|เข้าชม|อ่าน|จำนวนผู้อ่าน|ดู|views?|hits?|reads?)\s*:?\s*[\d,]+\s*(?:ครั้ง|คน|views?|times)?|"
    r"[\d,]+\s*(?:views?|ครั้ง)|"
    r"engine by .*|powered by .*|"
    r"(?:หมวดหมู่|ประเภท|category|categories|tags?|แท็ก|ป้ายกำกับ)\s*:.*|"
    r"กลับหน้าหลัก|กลับสู่ด้านบน|back to top|top|อ่านต่อ|read more|ดูทั้งหมด|อ่านทั้งหมด|"
    r"หน้าหลัก|home|ข่าวประชาสัมพันธ์|ข่าวประชาสัมพันธ์ทั่วไป|press release|"
    r"by|related|caption|close|advertisement|sponsored|โฆษณา|(?:photo|credit|image|ภาพ|ที่มา)\s*:.{0,80}|"
    r"(?:most (?:popular|read)|trending|ยอดนิยม)\b.{0,40}|"
    r"\[?pr\]?|広告|スポンサーリンク|正在加载.{0,3}|加载中.{0,3}|loading\.{0,3}|"
    r"(?:\$\$|\{\{|%%)\w+(?:\$\$|\}\}|%%)|"  # a CMS placeholder left in the text ($$ARTICLEAD$$)
    r"[\[(（【]?(?:责任编辑|責任編輯|责编|責編|编辑|編輯)\s*[:：].{0,40}?[\])）】]?|"
    r"(?:\S{1,8}の)?新着(?:記事|ニュース|情報)?|最新(?:新闻|文章|消息)"
    r")$",
    re.IGNORECASE,
)
# A line that starts this is a footer line (copyright, address and phone).
FOOTER_LINE = re.compile(
    r"(?:สงวนลิขสิทธิ์|copyright|©|\(c\)\s*\d{4}|all rights reserved|เผยแพร่ข้อมูลเมื่อ|"
    r"ปรับปรุงข้อมูลล่าสุด|ปรับปรุงล่าสุด|นโยบายเว็บไซต์|นโยบายความเป็นส่วนตัว|"
    r"การปฏิเสธความรับผิดชอบ|ผังเว็บไซต์|sitemap|privacy policy)",
    re.IGNORECASE,
)
# Address lines: several of these together in a short line.
ADDRESS_PARTS = re.compile(
    r"โทร\.?|โทรสาร|แฟกซ์|fax|e-?mail\s*:|อีเมล\s*:|แขวง|เขต|ถนน|ซอย|กรุงเทพฯ?\s*\d{5}|\b\d{5}\b|"
    r"สายด่วน|call center",
    re.IGNORECASE,
)
# After a line that is (or starts with) one of these, nothing is article text.
CUT_MARKERS = re.compile(
    r"^[【\[(（<＜■◆]?\s*(?:latest press release|related topics|related news|related posts|"
    r"related articles|"
    r"more news|more stories|you may also like|recommended|ข่าวล่าสุด|ข่าวที่เกี่ยวข้อง|"
    r"ข่าวอื่นๆ|ข่าวอื่น ๆ|ข่าวแนะนำ|ข่าวยอดนิยม|บทความที่เกี่ยวข้อง|เรื่องที่เกี่ยวข้อง|"
    r"อ่านข่าวที่เกี่ยวข้อง|engine by|powered by|เผยแพร่ข้อมูลเมื่อ|ความคิดเห็น|"
    r"แสดงความคิดเห็น|comments?|leave a reply|tags?\s*:|"
    # author boxes, related lists and paywalls in Thai, English, Chinese, Japanese and Korean
    r"about the author|เกี่ยวกับผู้เขียน|作者简介|作者簡介|この記事を書いた人|記者プロフィール|"
    r"関連キーワード|関連記事|関連ニュース|おすすめ情報|おすすめ記事|こちらもおすすめ|"
    r"この記事は(?:有料)?会員限定|"
    r"相关新闻|相关阅读|相关文章|相關新聞|相關文章|延伸閱讀|推荐阅读|推薦閱讀|관련\s?기사)",
    re.IGNORECASE,
)
# A short line with one of these is a subscription, paywall, member-only or newsletter box.
SUBSCRIPTION_LINE = re.compile(
    r"subscribe (?:now|today|to (?:our|the)\b)|subscribers? only|for subscribers|"
    r"already a subscriber|become a (?:member|subscriber)|members? only|"
    r"sign up for (?:our|the|a)\b.{0,30}newsletter|newsletter sign[- ]?up|"
    r"get (?:unlimited|full) access|log ?in to (?:continue|read)|to continue reading|"
    r"premium (?:content|article)|this (?:article|story|content) is (?:only )?(?:available|for)|"
    r"สมัครสมาชิก|เฉพาะสมาชิก|สำหรับสมาชิก|เข้าสู่ระบบเพื่อ(?:อ่าน|ดู)|"
    r"(?:สมัคร|ลงทะเบียน)?รับ(?:ข่าวสาร|จดหมายข่าว)|"
    r"订阅|訂閱|会员专享|會員專享|会员专属|會員專屬|付费阅读|付費閱讀|登录后|登入後|"
    r"会員(?:の方)?(?:のみ|限定|登録)|有料会員|有料記事|読み放題|無料登録|ログインして|ログインすると|"
    r"登録すると|登録が必要|"
    r"購読|ニュースレター|メールマガジン|メルマガ|구독",
    re.IGNORECASE,
)
SUBSCRIPTION_LINE_MAX_CHARS = 120
# A production credit on its own line: "วสุนธรา & ภัทรพร ข.(สลธ.) / จัดทำ", "... / ภาพ & ข่าว".
CREDIT_LINE = re.compile(
    r"^.{1,100}?/\s*(?:จัดทำ|ภาพ\s*(?:&|และ)?\s*ข่าว|ข่าว\s*(?:&|และ)?\s*ภาพ|ข่าว|ภาพ|"
    r"เรียบเรียง|ถ่ายภาพ|รายงาน)\s*$"
)
# The same credit glued to the end of the last paragraph ("...ต่างๆกลุ่มงาน... / จัดทำ").
TRAILING_CREDIT = re.compile(
    r"^(?P<body>.*\S)\s*(?P<credit>(?:กลุ่มงาน|กลุ่ม|สำนัก|กอง|ฝ่าย|ศูนย์)[^/]{0,100}?"
    r"/\s*(?:จัดทำ|ภาพ\s*(?:&|และ)?\s*ข่าว|ข่าว))\s*$"
)
# Wire-service dateline: "กรุงเทพฯ--6 ก.ย.--บียอนด์ โซลูชันส์".
DATELINE = re.compile(r"^[^\s-]{2,30}\s*--\s*[^-]{1,30}--\s*.{1,60}$")
# Menus: short cells joined by pipes or bullets.
MENU_SEPARATORS = re.compile(r"\s[|•·»]\s|\s\|")
MENU_MIN_SEPARATORS = 2
# Breadcrumbs: "ข่าวเด่น ก.พ.ร. / ปี 2551 / เมษายน / <title>" or "Home > News > ...".
BREADCRUMB_SEPARATORS = re.compile(r"\s(?:/|>|»|›)\s")
BREADCRUMB_MIN_SEPARATORS = 2
# Site names that follow a title in <title>: "Headline | OPDC", "Headline - ryt9".
TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—:»]|::)\s+")
# Words that make a short line with a date an event sentence, not a publication date line.
EVENT_WORDS = re.compile(r"เมื่อ|ระหว่าง|ตั้งแต่|ถึงวันที่|จัดขึ้น|กำหนด|\bfrom\b|\buntil\b")
# A labelled date line: "เผยแพร่ข้อมูลเมื่อ ... ปรับปรุงข้อมูลล่าสุดเมื่อ ...".
MODIFIED_LABEL = re.compile(
    r"ปรับปรุง|แก้ไขล่าสุด|แก้ไขเมื่อ|อัพเดท|อัปเดต|อัพเดต|updated|modified|last edited",
    re.IGNORECASE,
)
PUBLISHED_LABEL = re.compile(
    r"เผยแพร่|โพสต์|ลงข่าว|วันที่ลง|ลงวันที่|เขียนเมื่อ|เขียนโดย|ส่งโดย|สร้างเมื่อ|บันทึกเมื่อ|"
    r"ประกาศเมื่อ|published|posted|released|submitted|created",
    re.IGNORECASE,
)
# Japanese, Chinese and Korean labels count only right before their date ("投稿日：2020/07/13",
# "입력2023.11.02."): inside a sentence "公開" or "发布" is a word like any other.
_CJK_LABEL_END = r"(?:日|日期|日時|时间|時間|時刻|일시)?\s*[:：]?\s*$"
CJK_MODIFIED_LABEL = re.compile(r"(?:更新|修改|수정|업데이트)" + _CJK_LABEL_END)
CJK_PUBLISHED_LABEL = re.compile(
    r"(?:公開|投稿|掲載|配信|発行|作成|質問|发布|發布|发表|發表|입력|등록)" + _CJK_LABEL_END
)

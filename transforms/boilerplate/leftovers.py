"""Rules for what trafilatura leaves around an article: bylines, datelines, captions, promos.

Issue 5 lists the leftovers the best open-source extractor keeps: newsletter
and subscription pitches, "follow us" and app promos, affiliate disclosures,
related-headline lists, the headline repeated at the top of the body (a
check in `transforms.boilerplate`, since it compares with the title),
bylines and datelines at the start, image captions and credits. The rules
here add to `transforms.boilerplate.patterns`; each is named data like those,
each has an example in `tests/transforms/test_leftovers.py`, and each was kept
only when the full 791-page `extraction-dev` evaluation (`news-etl eval`)
showed it removing more text the labels exclude than text they keep.

Evidence: the pipeline's output on `extraction-dev`, line by line against its
`articleBody` (lines that share almost no shingle with the truth). Bylines and
datelines are `Position.HEAD` rules: "By Jane Doe" is a byline only before
the story starts; `transforms.article` moves their names and date into
`authors` and `published_at` when the page's markup gave none.
"""

from __future__ import annotations

import re
from typing import Final

from transforms.boilerplate.rules import BoilerplateKind, Position, Rule

__all__ = ["BYLINE_NAMES", "DATELINE_DATE", "LEFTOVER_RULES"]


_rule = Rule.of


_HEAD = Position.HEAD
_TAIL = Position.TAIL

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
# "September 16th, 2023", "16 Sept. 2023", "2023-09-16", "09/16/2023".
_DATE = (
    _WEEKDAY + rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)
# ", at 09:27 am", " 10:00 ET", " - 3:15 p.m. EST"
_TIME = r"(?:\s*(?:,|-|\||at|·)?\s*\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[a-z]{2,5})?)?"
# A capitalised name of one to five words ("Jane Doe", "Mary-Ann O'Neil",
# "Ana de la Cruz"); `(?-i:...)` because rules are compiled case-insensitively.
_NAME = (
    r"(?-i:[A-Z][\w'.-]*(?:\s+(?:[A-Z][\w'.-]*|de|la|van|von|der|den|da|del|di|dos|bin|al|le))"
    r"{0,4})"
)
# Words after "By" that start a sentence, not a name: "By 2030, ...", "By Monday, ...".
_NOT_A_NAME = (
    r"(?!(?:the|then|now|contrast|comparison|default|design|law|far|(?:mon|tues|wednes|thurs"
    rf"|fri|satur|sun)day)\b|{_MONTH}(?:\s|,|$)|\d)"
)
_NAMES = rf"{_NOT_A_NAME}{_NAME}(?:\s*(?:,|&|\band\b)\s*{_NOT_A_NAME}{_NAME}){{0,4}}"

RULES: Final[tuple[Rule, ...]] = (
    # --- bylines and datelines at the start (moved into `authors`, `published_at`) ------
    # "By Jane Doe", "By Jane Doe and John Roe, Staff Writers | Updated July 3, 2024".
    _rule("byline.by", BoilerplateKind.BYLINE,
          r"(?:written |words |story |text )?by:?\s+" + _NAMES
          + r"(?:\s*(?:[,|·•/]|\s-\s)\s*.{1,80})?", _HEAD, max_words=18),
    # "Author: Jane Doe", "Posted by Jane Doe".
    _rule("byline.label", BoilerplateKind.BYLINE,
          r"(?:author|authors|writer|posted by|published by)\s*:?\s+" + _NAMES
          + r"(?:\s*(?:[,|·•/]|\s-\s)\s*.{1,80})?", _HEAD, max_words=18),
    # Health and finance sites: "Medically reviewed by Jane Doe, MD".
    _rule("byline.reviewed_by", BoilerplateKind.BYLINE,
          r"(?:medically |fact[- ]|expert )?(?:reviewed|checked|edited|verified)(?: by)?:?\s+"
          + _NAMES + r"(?:\s*(?:[,|·•/]|\s-\s)\s*.{1,80})?", _HEAD, max_words=18),
    # "Written by Cassidy Horton" (4095): with the verb, a byline anywhere in the body.
    _rule("byline.written_by", BoilerplateKind.BYLINE,
          r"(?:written|posted|reported|compiled) by:?\s+" + _NAMES, max_words=8),
    # "11/12/2025 by One Tree Planted" (4614): a date and a byline on one line.
    _rule("byline.date_by", BoilerplateKind.BYLINE,
          _DATE + _TIME + r"\s*(?:[|·•-]\s*)?by:?\s+" + _NAMES, max_words=14),
    # "Last updated on September 16th, 2023 at 09:27 am", "This post was last updated July 2021."
    _rule("dateline.updated", BoilerplateKind.DATELINE,
          r"(?:this (?:post|article|page|story|guide) (?:was|has been) )?(?:last )?"
          r"(?:updated|modified|published|posted|reviewed|edited|revised|released)"
          rf"(?:\s+on|\s+at)?\s*:?\s*(?:{_DATE}{_TIME}|{_MONTH}\s+\d{{4}})", _HEAD, max_words=14),
    # "July 29, 2025" alone on the first lines.
    _rule("dateline.date", BoilerplateKind.DATELINE, _DATE + _TIME, _HEAD, max_words=10),
    # "5 min read", "Reading time: 7 minutes"; "read" is required, as "10 minutes" alone may
    # be a recipe step.
    _rule("dateline.reading_time", BoilerplateKind.DATELINE,
          r"reading time:?\s*\d{1,3}\s*(?:-|\s)?min(?:ute)?s?\.?"
          r"|\d{1,3}\s*(?:-|\s)?min(?:ute)?s?\.?\s+read(?:ing time)?", max_words=5),
    # --- captions and photo credits -------------------------------------------------
    # "Credit: Andriy Onufriyenko / Getty Images", "Photo courtesy of the museum".
    _rule("caption.credit_label", BoilerplateKind.CAPTION,
          r"(?:(?:photo|image|picture|video|illustration|graphic|header|featured|cover|top)"
          r"(?:graph)?s?\s*)?(?:credits?\s*:|courtesy(?: of)?\s*:?)\s*.{1,120}"
          r"|(?:photo(?:graph)?s?|images?|pictures?|illustrations?|video)\s*(?:by|via|:|\|)\s*"
          r".{1,120}", max_words=20),
    # "... (Photo by Jane Doe/AFP via Getty Images)": a caption ending in an agency credit.
    _rule("caption.agency_credit", BoilerplateKind.CAPTION,
          r".{0,240}?(?:/|\bvia\b|\||\(|:|-)\s*(?:getty images|shutterstock(?:\.com)?"
          r"|istock(?:photo)?(?: / getty images)?|reuters|ap photo|the associated press|afp"
          r"|alamy(?: stock photo)?|unsplash|pexels|epa(?:-efe)?|dpa|nurphoto|sopa images"
          r"|anadolu(?: agency)?|xinhua|imago|picture alliance|bloomberg)\s*\)?",
          max_words=40,
          needs=("getty", "shutterstock", "istock", "reuters", "ap photo", "associated press",
                 "afp", "alamy", "unsplash", "pexels", "epa", "dpa", "nurphoto", "sopa images",
                 "anadolu", "xinhua", "imago", "picture alliance", "bloomberg")),
    # --- newsletter and subscription pitches ------------------------------------------
    # Time Out: "By entering your email address you agree to our Terms of Use ...".
    _rule("newsletter.form_consent", BoilerplateKind.NEWSLETTER,
          r"(?:\*\s*)?by (?:entering|submitting|providing|signing up|subscribing|clicking|"
          r"registering|continuing)\b.{0,300}?\b(?:agree|consent|accept|acknowledge)\w*\b.{0,300}",
          max_words=80, needs=("agree", "consent", "accept", "acknowledge")),
    # Time Out: "Thanks for subscribing! Look out for your first newsletter in your inbox soon!"
    _rule("newsletter.thanks", BoilerplateKind.NEWSLETTER,
          r"(?:\W{0,3}\s*)?(?:awesome,? |great,? |success!? )?(?:thanks?(?: you)? for "
          r"(?:subscribing|signing up|joining)|you(?:'re| are) (?:now )?(?:subscribed|signed up|on "
          r"the list)|check your inbox to confirm).{0,160}", max_words=30),
    _rule("newsletter.form_field", BoilerplateKind.NEWSLETTER,
          r"(?:enter |type )?your (?:e-?mail|email address)(?: address)?(?: here| below)?"
          r"|e-?mail address|first name(?: \(optional\))?|last name|enter your e-?mail(?: address)?"
          r"(?: here| below)?", max_words=6),
    _rule("newsletter.join", BoilerplateKind.NEWSLETTER,
          r"(?:join|subscribe to|sign up for|get) (?:our|the|my) (?:\S+ ){0,3}(?:newsletter"
          r"|mailing list|e-?mail list)s?(?: today| now| here)?(?:[.!]\s.{0,120})?", max_words=30),
    # "Subscribe for the Latest Updates" (4142), "Subscribe to get access" (4373).
    _rule("newsletter.subscribe_short", BoilerplateKind.NEWSLETTER,
          r"(?:subscribe|sign up|register|join)(?: (?:to|for) (?:us|updates|free|the latest"
          r"(?: updates| posts| news)?))?(?: to get (?:access|the latest .{1,60}))?"
          r"|(?:join|follow) .{1,30}? (?:for free )?to get (?:updates|notified|the latest)\b.{0,80}"
          r"|get the latest (?:news|updates|insights|posts|articles|offers)(?: about| on| from)?"
          r"\b.{0,100}", max_words=20),
    # NBC Select: "Want more from NBC Select? Sign up for our newsletter, The Selection, ...".
    _rule("newsletter.sign_up_sentence", BoilerplateKind.NEWSLETTER,
          r".{0,100}?\b(?:sign up|subscribe|register) (?:for|to) (?:our|the|my) (?:\S+ ){0,4}?"
          r"(?:newsletter|mailing list|e-?mail list)\b.{0,120}", max_words=30,
          needs=("newsletter", "mailing list", "email list", "e-mail list")),
    # "Security insights & offers right into your inbox" (4142).
    _rule("newsletter.inbox_short", BoilerplateKind.NEWSLETTER,
          r".{0,80}?\b(?:right |straight |directly )?(?:in|into|to) your inbox(?: \w+){0,2}",
          max_words=12, needs=("inbox",)),
    # The second line of a consent notice: "and agree to our Terms & Conditions and Privacy
    # Policy." (0150).
    _rule("newsletter.agree_to_terms", BoilerplateKind.NEWSLETTER,
          r"(?:and )?(?:you )?(?:agree|consent) to (?:our|the) (?:terms|privacy)\b.{0,120}",
          max_words=20),
    # "Love Tech World With Milan Newsletter? Tell your friends and get rewards." (2453).
    _rule("newsletter.question", BoilerplateKind.NEWSLETTER,
          r".{0,80}?\bnewsletter\?\s.{0,120}", max_words=25, needs=("newsletter?",)),
    _rule("newsletter.notifications", BoilerplateKind.NEWSLETTER,
          r"would you like to receive (?:notifications|updates|e-?mails)\b.{0,60}", max_words=15),
    # "Subscribe to stay up to date with our latest news", "* To unsubscribe at any time ...".
    _rule("newsletter.stay_updated", BoilerplateKind.NEWSLETTER,
          r"(?:.{0,80}?\?\s*)?(?:subscribe|sign up)(?: (?:below|now|today|here))? (?:to|and) "
          r"(?:stay|keep|get) (?:up[- ]to[- ]date|informed|in the loop|updated|in touch|notified)"
          r"\b.{0,120}|(?:be sure to )?sign up below\b.{0,80}|(?:you can )?(?:to )?unsubscribe "
          r"at any time\b.{0,200}", max_words=40),
    # --- buttons and labels ------------------------------------------------------------
    _rule("advertising.button", BoilerplateKind.ADVERTISING,
          r"book a (?:free )?demo|request a (?:free )?demo|get started(?: today| now| for free)?"
          r"|get a free quote(?: today)?|see packages|view (?:deal )?on amazon|check (?:the )?price"
          r"|shop now|buy now|(?:.{1,60}?[.!?]\s+)?talk to (?:our|an?) (?:\S+ ){0,4}?(?:experts?"
          r"|specialists?|advisors?|team)|fill out the form\b.{0,200}", max_words=40),
    _rule("advertising.disclosure_label", BoilerplateKind.ADVERTISING,
          r"advertiser disclosure|advertising disclosure|partner links"
          r"|(?:advertisement|sponsored)\s*:\s*.{1,60}"
          r"|.{1,120}?\((?:sponsored|advertisement|paid (?:post|content))\)", max_words=20),
    # --- social and share prompts ------------------------------------------------------
    # "Join the Facebook group- https://..." (0107).
    _rule("social.join_group", BoilerplateKind.SOCIAL,
          r"join (?:our|the|my) (?:facebook|linkedin|telegram|whatsapp|discord|slack|reddit)"
          r" (?:group|community|page|channel|server)\b.{0,120}", max_words=25),
    # NBC Select: "Catch up on ... coverage ..., and follow us on Facebook, Instagram ...".
    _rule("social.follow_us_sentence", BoilerplateKind.SOCIAL,
          r".{0,200}?\bfollow us on (?:.{0,30}?\b)?(?:twitter|x|facebook|instagram|linkedin|tiktok"
          r"|youtube|threads|bluesky|pinterest)\b.{0,160}", max_words=50, needs=("follow us on",)),
    _rule("share.spread_the_word", BoilerplateKind.SHARE,
          r"(?:please )?help (?:me|us) spread the word\b.{0,80}", max_words=15),
    # Recipe blogs: "Did you make one of my recipes? Please take a moment to leave a star
    # rating. ..." (4159).
    _rule("ugc.rate_the_recipe", BoilerplateKind.UGC,
          r"did you (?:make|try|cook|bake) (?:this|one of (?:my|our)|my|our) (?:recipes?|dish)\b"
          r".{0,400}", max_words=80),
    # --- promos and calls to action at the end ---------------------------------------
    # "Book a demo to see how Otter's all-in-one platform ...", "Free 14-day trial. No credit
    # card required." Only in the trailing run: the same words open product reviews.
    _rule("advertising.call_to_action", BoilerplateKind.ADVERTISING,
          r".{0,200}?\b(?:book a (?:free )?demo|request a (?:free )?demo|schedule a (?:free )?demo"
          r"|start (?:your|a) free trial|free \d+-day trial|no credit card required"
          r"|sign up (?:for free|today|now)|get started (?:today|now|for free)"
          r"|try .{1,40}? (?:for )?free(?: today| for \d+ days)?)\b.{0,200}",
          _TAIL, max_words=50,
          needs=("demo", "free trial", "day trial", "credit card", "sign up", "get started",
                 "free")),
    # "Enjoy the post? Pin it for later!"
    _rule("share.pin_it", BoilerplateKind.SHARE,
          r"(?:.{0,60}?\?\s*)?pin (?:it |this |me )?(?:for later|now|on pinterest)"
          r"|(?:.{0,60}?\?\s*)?pin (?:it|this|me)",
          max_words=12),
    # --- affiliate disclosures ---------------------------------------------------------
    # "Products are chosen independently by our editors. Purchases made through our links
    # may earn us a commission."; "If you buy through affiliate links, I may earn commissions".
    _rule("affiliate.links_earn", BoilerplateKind.AFFILIATE,
          r"(?=.{0,400}?\b(?:links?|purchases?|buy|buying|affiliate|providers?|products?|retail)"
          r"\b).{0,300}?\b(?:(?:may|might|could|will|can|we|i|\S+\.com) (?:earn|receive|get)s? "
          r"(?:us |me )?(?:an? )?(?:small |tiny )?(?:affiliate )?commissions?|(?:is|are) supported "
          r"by commissions|(?:we|i) (?:may|might) be compensated)\b.{0,300}",
          max_words=70, needs=("commission", "compensated")),
    # --- disclaimers at the end --------------------------------------------------------
    _rule("disclaimer.informational_purposes", BoilerplateKind.DISCLAIMER,
          r".{0,300}?\bfor (?:general )?(?:informational|information|educational|entertainment)"
          r"(?: (?:and|or) (?:informational|educational|entertainment))? purposes only\b.{0,600}",
          _TAIL, max_words=120, needs=("purposes only",)),
    # Tom's Guide, Laptop Mag: "Read our full Alienware 16X Aurora review".
    _rule("related.read_full_review", BoilerplateKind.RELATED,
          r"read (?:our|the|my) full .{1,80}? review", max_words=14),
    # Investment pages: "NOT FDIC INSURED · NOT BANK GUARANTEED · MAY LOSE VALUE" (4092).
    _rule("disclaimer.not_fdic_insured", BoilerplateKind.DISCLAIMER,
          r".{0,40}?\bnot fdic insured\b.{0,240}", max_words=45, needs=("fdic insured",)),
    # --- navigation left in the body -----------------------------------------------------
    _rule("related.navigation", BoilerplateKind.RELATED,
          r"(?:next|previous|prev) (?:article|post|story)\s*:.{0,100}|blog index|tags:?"
          r"|table of contents|contents|in this article|jump to(?: section)?|skip to (?:main )?"
          r"content|back to (?:top|blogs?|selection|articles|news)|you are here:?|home|"
          r"(?:home\s*(?:>|»|/|›)\s*)(?:[^>»/›]{1,40}(?:>|»|/|›)\s*){0,4}[^>»/›]{1,80}",
          max_words=12),
)  # fmt: skip

LEFTOVER_RULES: Final = RULES

# The names in a removed byline: "By Jane Doe and John Roe, Staff | ..." -> the part
# before the first separator; `normalise_authors` splits and cleans it.
BYLINE_NAMES: Final = re.compile(
    r"^\W*(?:(?:written |words |story |text )?by|author|authors|writer|posted by|published by)"
    r"\s*:?\s+(?P<names>" + _NAMES + r")",
    re.IGNORECASE,
)
# The date in a removed dateline, without the "Last updated on" words before it.
DATELINE_DATE: Final = re.compile(rf"(?P<date>{_DATE}{_TIME})", re.IGNORECASE)

"""The leftover rules of issue 5: headline, bylines, datelines, captions, promos, disclosures.

Examples are real lines the pipeline left in `extraction-dev` pages of the
shared corpus before these rules (page number in the comment), so each rule
is pinned on text a publisher actually printed. Bylines and datelines are
also checked end to end: `build_article` moves them into `authors` and
`published_at` when the markup gave none.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.records import ExtractionMethod, Metadata, ParsedArticle
from tests.support.articles import INGESTED
from transforms.article import Article, CleanSettings, build_article
from transforms.boilerplate import (
    DEFAULT_RULES,
    HEADLINE_RULE,
    Position,
    Removal,
    RuleSet,
    strip_boilerplate,
)
from transforms.boilerplate.leftovers import LEFTOVER_RULES
from transforms.recovered import byline_authors, dateline_date, dateline_modified

# Two plain paragraphs of a real story (extraction-dev page 0070, Rick Steves).
STORY = (
    "Whether you need travel insurance depends on how much you have at risk and how much "
    "risk you are comfortable with.\n\n"
    "Travel insurance can cover trip cancellation, interruption, medical emergencies and lost "
    "baggage, and the price rises with the cost of the trip and the traveller's age."
)

# rule name -> real lines (extraction-dev page in the comment) it removes.
LEFTOVER_EXAMPLES: dict[str, tuple[str, ...]] = {
    "byline.by": ("By Rick Steves", "by: Ziyi Xu, Dec 17, 2025"),  # 0070, 0407
    "byline.label": ("Author: Jane Doe",),  # the label form of the same byline
    "byline.reviewed_by": ("reviewed by Jo-ann Caballes",),  # 0246
    "byline.date_by": ("11/12/2025 by One Tree Planted",),  # 4614
    "byline.written_by": ("Written by Cassidy Horton", "Written by Paulinho Giovannini"),  # 4095
    "dateline.updated": (
        "Last updated on September 16th, 2023 at 09:27 am",  # 0009
        "Last updated: April 21, 2025",  # 0051
        "Published on: February 14, 2025",  # 0280
        "Last Updated : 20 January 2025",  # 4123
    ),
    "dateline.date": ("July 29, 2025", "19/12/2025", "Dec 08, 2023"),  # 0065, 0467, 4416
    "dateline.reading_time": (
        "- 2 min read",
        "3 MIN. READ",
        "13 MIN READ",
        "Reading time: 7 minutes",
    ),
    "caption.credit_label": (
        "Photo: Shutterstock",  # 0011
        "Photo Courtesy of Noble Desktop",  # 0030
        "Credit: Andriy Onufriyenko / Getty Images",  # 0094
        "Image: Move.org",  # 0054
    ),
    "caption.agency_credit": (
        "This 8-24-week marathon training plan adjusts and scales to fit the any runner's "
        "abilities, whether beginner or advanced. (Photo: Getty Images)",  # 4115
        "SolStock/E+ via Getty Images",  # 4594
    ),
    "newsletter.form_consent": (
        "By entering your email address you agree to our Terms of Use and Privacy Policy and "
        "consent to receive emails from Time Out about news, events, offers and partner "
        "promotions.",  # 0030
        "By entering your email, you agree to receive Elementor emails, including marketing "
        "emails,",  # 0150
    ),
    "newsletter.thanks": (
        "Thanks for subscribing! Look out for your first newsletter in your inbox soon!",  # 0030
        "🙌 Awesome, you're subscribed!",  # 0030
        "Thank you for subscribing to our daily newsletter.",  # 0397
    ),
    "newsletter.form_field": ("Enter your email:", "First Name (optional):"),  # 0010
    "newsletter.join": (
        "Join Our Newsletter",  # 0097
        "Join Our Genius Newsletter",  # 0151
        "Join our mailing list! Get a newsletter when an episode is published with insider "
        "information join here",  # 0107
    ),
    "newsletter.subscribe_short": (
        "Subscribe for the Latest Updates",  # 4142
        "Subscribe to get access",  # 4373
        "Subscribe to get the latest posts sent to your email.",  # 4562
        "Sign up",  # 0171
        "Join Medium for free to get updates from this writer.",  # 4460
        "Get the latest news about OMA’s live educational events and online courses.",  # 0065
    ),
    "newsletter.inbox_short": ("Security insights & offers right into your inbox",),  # 4142
    "newsletter.agree_to_terms": ("and agree to our Terms & Conditions and Privacy Policy.",),
    "social.join_group": (
        "Join the Facebook group– https://www.facebook.com/TalkingHomeRenovations",
    ),
    "social.follow_us_sentence": (
        "Catch up on NBC Select’s in-depth coverage of tech and tools, wellness and more, and "
        "follow us on Facebook, Instagram, Twitter and TikTok to stay up to date.",  # 4472
    ),
    "share.spread_the_word": ("Help me spread the word about this podcast!",),  # 0107
    "newsletter.sign_up_sentence": (
        "Want more from NBC Select? Sign up for our newsletter, The Selection, and shop "
        "smarter.",  # 4472
        "For daily wit & wisdom, sign up for the Almanac newsletter.",  # 0214
    ),
    "newsletter.question": (
        "Love Tech World With Milan Newsletter? Tell your friends and get rewards.",  # 2453
    ),
    "ugc.rate_the_recipe": (
        "Did you make one of my recipes? Please take a moment to leave a star rating. Also, if "
        "you are on Pinterest, please feel free to leave a comment there!",  # 4159
    ),
    "disclaimer.not_fdic_insured": (
        "· NOT FDIC INSURED · NOT BANK GUARANTEED · MAY LOSE VALUE · NOT A DEPOSIT · NOT "
        "INSURED BY ANY FEDERAL GOVERNMENT AGENCY",  # 4092
    ),
    "newsletter.notifications": ("Would you like to receive notifications about new posts?",),
    "advertising.button": (
        "Book a demo",  # 0113
        "Get started today",  # 0219
        "Get a free quote today.",  # 4241
        "Stop Searching & Start Winning. Talk To Our Social Media Marketing Experts",  # 0166
        "Fill out the form for a complimentary solar quote that includes a custom satellite "
        "layout, system design and a breakdown of total project costs.",  # 4192
    ),
    "advertising.disclosure_label": (
        "Advertiser Disclosure",  # 0334
        "Partner Links",  # 0044
        "Advertisement: New AI Book!",  # 4444
        "GitHub Actions analytics - what’s actually happening (Sponsored)",  # 2453
    ),
    "newsletter.stay_updated": (
        "Be sure to sign up below so we can stay in touch!",  # 0011
        "Subscribe to stay up to date with our latest news, resources and best practices.",
        "* To unsubscribe at any time, please use the “Unsubscribe” link included in the "
        "footer of our emails.",  # 0047
    ),
    "advertising.call_to_action": (
        "Book a demo to see how Otter’s all-in-one platform can help your restaurant thrive.",
        "Free 14-day trial. No credit card required.",  # 0058, 0155
    ),
    "share.pin_it": ("Enjoy the post? Pin it for later!", "PIN FOR LATER"),  # 0011, 4662
    "affiliate.links_earn": (
        "Products are chosen independently by our editors. Purchases made through our links "
        "may earn us a commission.",  # 0010
        "We earn commissions from links on our site, enabling us to deliver independent "
        "reviews. See our editorial policy.",  # 4674
        "Business.com earns commissions from some listed providers. Editorial Guidelines.",  # 0268
        "SeniorLiving.org is supported by commissions from providers listed on our site. Read "
        "our Editorial Guidelines",  # 1657
        "We may be compensated when you click on a link, when an application is approved, or "
        "when an account is opened from one or more of our advertising partners.",  # 0334
    ),
    "related.read_full_review": ("Read our full Alienware 16X Aurora review",),  # 4014
    "disclaimer.informational_purposes": (
        "The information included here is designed for informational purposes only. It is not "
        "legal, tax, financial or any other sort of advice.",  # 4538
    ),
    "related.navigation": (
        "Table of Contents",  # 0006
        "Back to top",  # 0116
        "- You are here:",  # 0180
        "Next article: Go Wins 2010 Bossie Award",  # 2862
        "Blog Index",  # 2862
    ),
}
LEFTOVER_CASES = [(name, line) for name, lines in LEFTOVER_EXAMPLES.items() for line in lines]
_RULES = {rule.name: rule for rule in DEFAULT_RULES}


def _where(name: str) -> str:
    """Where an example must sit to be removed: first for HEAD rules, else last."""
    return "head" if _RULES[name].where is Position.HEAD else "tail"


def test_every_leftover_rule_has_an_example() -> None:
    """Each leftover rule is pinned by at least one real line below."""
    assert set(LEFTOVER_EXAMPLES) == {rule.name for rule in LEFTOVER_RULES}


@pytest.mark.parametrize(
    ("name", "line"), LEFTOVER_CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(LEFTOVER_CASES)]
)
def test_leftover_rule_removes_its_example(name: str, line: str) -> None:
    """Each example goes (first line for head rules, last otherwise), credited to its rule."""
    body = f"{line}\n\n{STORY}" if _where(name) == "head" else f"{STORY}\n\n{line}"
    cleaned = strip_boilerplate(body)
    assert cleaned.body == STORY
    assert cleaned.removed == (Removal(name, _RULES[name].kind.value, line.strip()),)


@pytest.mark.parametrize(
    "line",
    [
        "By Rick Steves",
        "Last updated: April 21, 2025",
        "July 29, 2025",
        "reviewed by Jo-ann Caballes",
    ],
)
def test_head_rules_spare_the_same_line_later_in_the_body(line: str) -> None:
    """A byline or date line after the story has started is story text, and stays."""
    paragraphs = STORY.split("\n\n")
    body = "\n\n".join([paragraphs[0], line, paragraphs[1]])
    assert strip_boilerplate(body).removed == ()


@pytest.mark.parametrize(
    "line",
    [
        # real sentences from extraction-dev pages that open like a rule
        "By 2030, nearly 40% of the workforce will need reskilling, according to the report.",
        "By the way, most movers charge by weight for long-distance moves.",
        "Photographs of the site show the damage after the storm.",
        "The credit card offers that appear on this site are reviewed by our editors weekly "
        "and the ranking does not change with payment.",
        "| Credit Hour | $337 | $516 |",  # a table row (page 0020), not a photo credit
        "- 10 minutes",  # a recipe step's time, not a reading time
    ],
)
def test_sentences_that_open_like_a_rule_are_kept(line: str) -> None:
    """Story sentences that start with "By", "Photo" or mention credit stay, even first."""
    for body in (f"{line}\n\n{STORY}", f"{STORY}\n\n{line}"):
        assert strip_boilerplate(body).removed == ()


# --- the repeated headline ----------------------------------------------------


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("Do I Need Travel Insurance?", "Do I Need Travel Insurance? | Rick Steves"),  # 0070
        ("TIPS FOR ONLINE SUCCESS", "Tips for Online Success"),  # 0014, case aside
        (
            "FDA’s Concerns with Unapproved GLP-1 Drugs Used for Weight Loss",
            "FDA's Concerns with Unapproved GLP-1 Drugs Used for Weight Loss | FDA",
        ),  # 0064
    ],
)
def test_headline_repeated_at_the_top_is_removed(first: str, title: str) -> None:
    """The title printed again as the body's first line goes, as `headline.repeated`."""
    cleaned = strip_boilerplate(f"{first}\n\n{STORY}", title=title)
    assert cleaned.body == STORY
    assert cleaned.removed == (Removal(HEADLINE_RULE.name, "headline", first),)


@pytest.mark.parametrize(
    ("body", "title"),
    [
        (f"Travel insurance\n\n{STORY}", "Do I Need Travel Insurance?"),  # only two words
        (f"{STORY}\n\nDo I Need Travel Insurance?", "Do I Need Travel Insurance?"),  # not first
    ],
)
def test_headline_check_needs_the_title_first(body: str, title: str) -> None:
    """Only a first line that is the title (or its start, 3+ words) goes."""
    assert strip_boilerplate(body, title=title).removed == ()


def test_headline_check_can_be_switched_off() -> None:
    """`without("headline.repeated")` keeps the headline; the name is a known rule name."""
    rules = DEFAULT_RULES.without(HEADLINE_RULE.name)
    body = f"Do I Need Travel Insurance?\n\n{STORY}"
    assert strip_boilerplate(body, rules, title="Do I Need Travel Insurance?").body == body
    assert HEADLINE_RULE.name in DEFAULT_RULES.names
    assert HEADLINE_RULE.name not in rules.names
    assert rules.extended(()).headline is False


def test_headline_then_byline_then_date_all_go() -> None:
    """The leading run continues past the headline: byline and dateline after it go too."""
    body = f"Do I Need Travel Insurance?\n\nBy Rick Steves\n\nJuly 29, 2025\n\n{STORY}"
    cleaned = strip_boilerplate(body, title="Do I Need Travel Insurance?")
    assert cleaned.body == STORY
    assert [r.rule for r in cleaned.removed] == [
        "headline.repeated",
        "byline.by",
        "dateline.date",
    ]


# --- bylines and datelines move into their fields ------------------------------


def _article(body: str, **meta: object) -> Article:
    parsed = ParsedArticle(
        "page.html", body, Metadata(url="https://example.com/a", **meta),  # type: ignore[arg-type]
        ExtractionMethod.TRAFILATURA,
    )  # fmt: skip
    result = build_article(parsed, run_id="r", ingested_at=INGESTED, settings=CleanSettings())
    assert isinstance(result, Article)
    return result


def test_byline_and_dateline_fill_empty_fields() -> None:
    """A removed "By ..." fills `authors` and a removed date `published_at` when empty."""
    article = _article(f"By Rick Steves\n\nJuly 29, 2025\n\n{STORY}")
    assert article.body == STORY
    assert article.authors == ("Rick Steves",)
    assert article.published_at == datetime(2025, 7, 29, tzinfo=UTC)


def test_markup_metadata_wins_over_the_byline() -> None:
    """Authors and date from the markup are kept; the byline lines still leave the body."""
    article = _article(
        f"By Rick Steves\n\nJuly 29, 2025\n\n{STORY}",
        authors=("Cameron Hewitt",),
        published="2025-07-30T08:00:00+00:00",
    )
    assert article.body == STORY
    assert article.authors == ("Cameron Hewitt",)
    assert article.published_at == datetime(2025, 7, 30, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("removed", "authors", "published", "modified"),
    [
        ([("byline.by", "byline", "by: Ziyi Xu, Dec 17, 2025")], ("Ziyi Xu",), None, None),
        ([("byline.reviewed_by", "byline", "reviewed by Jo-ann Caballes")], (), None, None),
        (
            [("dateline.updated", "dateline", "Last updated on September 16th, 2023 at 09:27 am")],
            (), None, "September 16 2023 09:27 am",
        ),
        ([("dateline.updated", "dateline", "Published on: February 14, 2025")],
         (), "February 14 2025", None),
    ],
)  # fmt: skip
def test_metadata_read_back_from_removals(
    removed: list[tuple[str, str, str]],
    authors: tuple[str, ...],
    published: str | None,
    modified: str | None,
) -> None:
    """Names come from bylines only (not reviewers); "Updated" dates are modification dates."""
    removals = [Removal(*r) for r in removed]
    assert byline_authors(removals) == authors
    assert dateline_date(removals) == published
    assert dateline_modified(removals) == modified


def test_head_position_from_plain_data() -> None:
    """A source's own rule may be `where = "head"`: it removes a leading line only."""
    rules = DEFAULT_RULES.extended(
        RuleSet.from_records(
            [{"name": "byline.rick", "kind": "byline", "pattern": r"rick steves", "where": "head"}]
        )
    )
    assert strip_boilerplate(f"Rick Steves\n\n{STORY}", rules).body == STORY
    kept = f"{STORY}\n\nRick Steves"
    assert strip_boilerplate(kept, rules).body == kept


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("subscription.subscribers_only", "This article is exclusive to STAT+ subscribers"),  # 0221
        ("donation.funded_by_readers", "This story is funded by readers like you"),  # 4511
    ],
)
def test_older_rules_cover_dev_set_spellings(name: str, line: str) -> None:
    """Spellings found on extraction-dev that the older rules were widened to take."""
    cleaned = strip_boilerplate(f"{STORY}\n\n{line}")
    assert [removal.rule for removal in cleaned.removed] == [name]

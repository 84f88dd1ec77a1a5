"""The default boilerplate rules, as named data grouped by kind.

Types and matching conventions are in `transforms.boilerplate.rules`; every
rule here is exercised by an example in `tests/transforms/test_boilerplate.py`
(add one there with a new rule). Evidence for most rules is the shared
corpus: `footers/boilerplate_catalogue` and the "without" snippets of
`html/adbar__trafilatura/evaldata.fixtures.json`.
"""

from __future__ import annotations

from typing import Final

from transforms.boilerplate.rules import BoilerplateKind, Position, Rule

__all__ = ["RULES"]


_rule = Rule.of


_S = BoilerplateKind.SUBSCRIPTION
_N = BoilerplateKind.NEWSLETTER
_D = BoilerplateKind.DONATION
_SO = BoilerplateKind.SOCIAL
_C = BoilerplateKind.COPYRIGHT
_AD = BoilerplateKind.ADVERTISING
_AF = BoilerplateKind.AFFILIATE
_SH = BoilerplateKind.SHARE
_R = BoilerplateKind.RELATED
_U = BoilerplateKind.UGC
_TAIL = Position.TAIL

_PLATFORM = (
    r"(?:twitter|x|facebook|instagram|linkedin|tiktok|youtube|telegram|whatsapp|threads"
    r"|bluesky|mastodon|google news|flipboard|snapchat|pinterest)"
)
# An optional lead-in sentence ("Are you in the storm? ") before a prompt.
_LEAD_SENTENCE = r"(?:.{1,200}?[?.!]\s+)?"
_READ_MORE_WORDS = (
    r"(?:read(?: more| also| next)?|also read|see also|related(?: stories| story| articles?"
    r"| coverage| content)?|more on this(?: story| topic)?|watch|listen|recommended"
    r"|mir[aá] tambi[eé]n|lee tambi[eé]n|lea tambi[eé]n|ver tambi[eé]n|te puede interesar"
    r"|lesen sie auch|mehr zum thema|auch interessant|dowiedz się więcej|czytaj (?:także|też)"
    r"|यह भी पढ़ें|ये भी पढ़ें|इसे भी पढ़ें)"
)

RULES: Final[tuple[Rule, ...]] = (
    # --- subscription: paywalls and subscribe prompts -------------------------------
    # The seed article's footer (The Japan Times).
    _rule("subscription.help_us_get_it_right", _S,
          r"by subscribing,? you (?:can )?help us get (?:the story|it) right"),
    # First line of the same footer: plausible article prose, so only at the end.
    _rule("subscription.quality_journalism_more_crucial", _S,
          r"(?:in a time of .{1,80}?,\s*)?quality journalism is (?:now )?more "
          r"(?:crucial|important|essential|vital|necessary) than ever(?: before)?", _TAIL,
          needs=("quality journalism",)),
    _rule("subscription.subscribe_to_view_full_story", _S,
          r"to (?:(?:continue|keep) reading(?: (?:this|the) (?:story|article))?"
          r"|(?:view|read|see|access|unlock) (?:the|this) (?:full|whole|entire|rest of the"
          r"|complete) (?:story|article|report|piece)),? (?:please )?(?:subscribe|sign in|log in"
          r"|register|create a free account|become a (?:subscriber|member))\b.{0,200}"),
    _rule("subscription.subscribe_for_full_story", _S,
          r"subscribe(?: now| today)?(?: to .{1,60}?)? (?:for|to read|to get) (?:the )?"
          r"(?:full|whole|rest of the|complete) (?:story|article|report)\b.{0,120}"),
    _rule("subscription.subscribe_to_continue", _S,
          r"(?:subscribe|register|sign up|log in|sign in)(?: now| today| for free)? to "
          r"(?:continue reading|keep reading|read (?:more|on|the full|this)|unlock)\b.{0,120}"),
    _rule("subscription.free_article_limit", _S,
          r"you(?:'ve| have) (?:reached|used|read) .{0,40}?(?:free|complimentary) "
          r"(?:articles?|stories|story)\b.{0,160}"),
    _rule("subscription.already_subscriber_log_in", _S,
          r"(?:if you(?:'re| are) seeing this (?:message|page),? but )?(?:if )?"
          r"(?:you(?:'re| are) )?already (?:a |an )?(?:subscriber|member|registered)\b.{0,80}?"
          r"\b(?:log ?in|sign ?in|logged in|signed in)\b.{0,120}"),
    _rule("subscription.subscribe_now", _S, r"subscribe (?:now|today|here)\b.{0,80}",
          max_words=15),
    _rule("subscription.subscribe_to_support", _S,
          r"subscribe(?: now| today)? (?:and|to) support\b.{0,120}", max_words=25),
    _rule("subscription.subscribe_for_price", _S,
          r"subscribe (?:for|from) (?:just |only |as little as )?(?:[$€£]\s?\d|\d+(?:[.,]\d+)?"
          r"\s?(?:[$€£]|usd|eur|euros?|dollars?|pounds?)).{0,100}", max_words=25),
    _rule("subscription.subscribers_only", _S,
          r"(?:(?:this|the) (?:story|article|content) is )?(?:available |exclusively |exclusive "
          r"|only )?(?:for|to) (?:our )?(?:paying |digital |premium |\S+ )?subscribers(?: only)?"
          r"|(?:for )?subscribers only|exclusive (?:content )?for subscribers", max_words=12),
    # Prensa Libre: "Solo para suscriptores digitales".
    _rule("subscription.es_solo_suscriptores", _S,
          r"(?:contenido |nota |art[ií]culo )?(?:exclusiv[oa] |s[oó]lo )(?:para )?suscriptores"
          r"(?: digitales)?|hazte suscriptor\b.{0,80}", max_words=15),
    # El Nuevo Herald, Clarín: imperative "subscribe" opens the line.
    _rule("subscription.es_suscribase", _S,
          r"suscr[ií]b(?:ase|ete|ite|irse|te)\b(?!.{0,40}(?:newsletter|bolet[ií]n)).{0,160}",
          max_words=25),
    # Volksstimme, Handelsblatt, Spiegel walls.
    _rule("subscription.de_weiterlesen", _S,
          r"m[öo]chten sie weiterlesen\??|weiterlesen mit .{1,60}|jetzt (?:weiterlesen|abonnieren"
          r"|abo abschlie(?:ß|ss)en|registrieren|freischalten)(?: und .{1,80})?", max_words=15),
    _rule("subscription.de_abonnent", _S,
          r"(?:ja\.?,? )?(?:ich bin (?:bereits )?abonnent(?:in)?|ich ben[öo]tige ein abo"
          r"|ich m[öo]chte (?:ein abo|abonnieren)|ich habe (?:bereits )?ein abo"
          r"|sie sind bereits abonnent(?:in)?\??).{0,80}", max_words=15),
    # --- newsletter -----------------------------------------------------------
    _rule("newsletter.best_of_our_journalism", _N,
          r"the best of (?:our|\S+(?:'s)?) journalism,? (?:hand-?picked|curated|delivered"
          r"|selected|in your inbox)\b.{0,80}"),
    # Diario1: "Suscríbete a Nuestro Newsletter" (subscription.es_suscribase leaves it).
    _rule("newsletter.es_boletin", _N,
          r"(?:suscr[ií]b(?:ase|ete|ite|irse|te)|rec[ií]b(?:a|e|ir)) (?:a |al |en )?"
          r"(?:nuestro |nuestra |el |la |los |las )?(?:newsletters?|bolet[ií]n|bolet[ií]nes)"
          r"\b.{0,120}"),
    _rule("newsletter.de_anmelden", _N,
          r"(?:jetzt )?(?:(?:zum|f[üu]r den|unseren?) )?newsletter (?:abonnieren|bestellen|anmelden"
          r"|registrieren)\b.{0,100}|melden sie sich (?:jetzt )?(?:f[üu]r|zu) .{0,40}?newsletter "
          r"an\b.{0,80}"),
    _rule("newsletter.sign_up", _N,
          r"(?:sign[- ]?up|subscribe|register|opt in)(?: now| today| here| free| for free)? "
          r"(?:for|to) (?:our |the |my |a )?.{0,60}?newsletters?\b.{0,160}", max_words=30),
    # Times of Israel: "Get The Times of Israel's Daily Edition by email ... Free Sign Up".
    _rule("newsletter.get_by_email", _N,
          r"(?:get|receive) .{1,80}? (?:by|via|in your) (?:e-?mail|inbox)\b.{0,120}?"
          r"\b(?:sign ?up|subscribe|register)\b.{0,40}", max_words=30),
    _rule("newsletter.delivered_to_inbox", _N,
          r".{0,160}?\b(?:delivered|sent) (?:straight |directly |right )?to your inbox\b.{0,100}",
          _TAIL, max_words=30, needs=("inbox",)),
    # Axios: "Axios newsletters".
    _rule("newsletter.label", _N, r"(?:\S+ )?newsletters?(?: sign[- ]?up)?", max_words=3),
    # --- donation and membership ------------------------------------------------
    # City Limits, Creative Commons: an appeal ending in the button label.
    _rule("donation.donate_button", _D,
          r"(?:support|help|join|become|give|please|if you)\b.{0,300}?"
          r"(?-i:\b(?:Donate|DONATE)(?: (?:[Nn]ow|NOW|[Tt]oday|TODAY))?)", needs=("donate",)),
    # The New Republic, The Times of Israel.
    _rule("donation.support_journalism", _D,
          r"(?:please )?(?:help )?(?:support|fund|sustain) (?:our|independent|quality|local"
          r"|public[- ]interest|nonprofit|non-profit|investigative|fearless|trusted)"
          r"(?:,? (?:independent|local|quality|investigative|nonprofit|fact-based))* "
          r"(?:journalism|reporting|newsroom)\b.{0,200}"),
    # The Guardian.
    _rule("donation.funded_by_readers", _D,
          r"(?:(?:available|free|open) (?:for|to) (?:everyone|all),? |this (?:story|article|work)"
          r" is )?funded by (?:our )?readers(?: like you)?",
          max_words=15),
    _rule("donation.button_label", _D,
          r"(?:please )?(?:make a (?:contribution|donation|gift)|donate(?: now| today| here)?"
          r"|support us(?: now| today| on .{1,30})?|contribute(?: now| today)?|become a (?:member"
          r"|supporter|patron|sustaining member)(?: today| now)?|give (?:now|today))",
          max_words=8),
    _rule("donation.if_you_value", _D,
          r"(?:if you (?:value|like|enjoy|appreciate|rely on)d?|before you go|we have a (?:small )?"
          r"fav(?:ou)?r to ask|we need your (?:help|support)).{0,300}?\b(?:support|subscri\w*"
          r"|donat\w*|contribut\w*|membership|become a member|chip in)\b.{0,300}",
          _TAIL, max_words=60),
    # netzpolitik.org: "Wir sind spendenfinanziert. Unterstütze auch du uns ...".
    _rule("donation.de_spendenfinanziert", _D,
          r"wir sind (?:spenden|leser(?:innen)?)-?finanziert\b.{0,200}"),
    _rule("donation.de_unterstuetzen", _D,
          r"(?:bitte )?unterst(?:ü|u|ue)tz(?:e|en sie|t) (?:auch du |jetzt |bitte )?(?:uns|unsere "
          r"arbeit|unabh[äa]ngigen journalismus)\b.{0,160}|jetzt spenden\b.{0,60}", max_words=30),
    _rule("donation.es_apoya", _D,
          r"(?:ap[oó]ya(?:nos)? (?:el|al|nuestro) periodismo|ap[oó]yanos|haz una donaci[oó]n"
          r"|dona ahora|hazte (?:socio|miembro))\b.{0,160}", max_words=30),
    # --- social: follow us, apps, channels -----------------------------------------
    _rule("social.follow_us", _SO,
          r"follow us(?: on)?|(?:(?:click|tap) here to )?(?:follow|like|find|join|connect with"
          r"|subscribe to) (?:us|our .{0,30}?(?:channel|page|group|community|account)s?) "
          r"(?:on|at|via) (?:.{0,30}?\b)?" + _PLATFORM + r"\b.{0,160}", max_words=30),
    _rule("social.whatsapp_channel", _SO,
          r".{0,120}?\b(?:join|follow) (?:our|the|us on) .{0,40}?(?:whatsapp|telegram) "
          r"(?:channel|group|community)\b.{0,160}", needs=("whatsapp", "telegram")),
    # Nation News: "... download the Nationnews apps for iOS and Android."
    _rule("social.download_app", _SO, r".{0,120}?\bdownload (?:the|our) .{0,50}?\bapps?\b.{0,80}",
          _TAIL, max_words=30, needs=("download",)),
    _rule("social.get_the_app", _SO,
          r"(?:get|download|install) (?:the|our) (?:\S+ ){0,3}app(?: now| today| for (?:ios|android"
          r"|free).{0,40})?", max_words=12),
    # Dainik Jagran: "Jagran.com अब whatsapp चैनल पर भी उपलब्ध है। आज ही फॉलो करें ...".
    # No \b after Devanagari: vowel signs are not word characters to `re`.
    _rule("social.hi_follow", _SO,
          r".{0,160}?(?:whatsapp|telegram|google news|facebook|twitter|instagram|youtube|यूट्यूब"
          r"|व्हाट्सएप).{0,160}?(?:फॉलो करें|से जुड़ें|ज्वॉइन करें|जॉइन करें|सब्सक्राइब करें).{0,160}",
          needs=("फॉलो करें", "से जुड़ें", "ज्वॉइन करें", "जॉइन करें", "सब्सक्राइब करें")),
    _rule("social.es_siguenos", _SO,
          r"(?:s[ií]guenos|[uú]nete a nuestro (?:canal|grupo)) .{0,160}", max_words=30),
    _rule("social.de_folgen", _SO, r"folgen? (?:sie )?uns (?:auf|bei|in) .{0,120}", max_words=25),
    # --- copyright and reprint notices ------------------------------------------
    # Breaking Belize News.
    _rule("copyright.copyrighted_property", _C,
          r"(?:©.{0,80}?\s)?(?:this|the) (?:article|story|content|material|report) is (?:the )?"
          r"copyrighted (?:property|material) of .{0,400}", max_words=60, needs=("copyrighted",)),
    # CBS, Vox Media, NHK, AFPBB "(c)AFP/Aminu ABUBAKAR".
    _rule("copyright.symbol_lead", _C,
          r"(?:©|\(c\)(?=\s*(?-i:[A-Z0-9]))|copyright\s*(?:©|\(c\))|copyright\s+(?:\d{4}"
          r"|(?-i:[A-Z]{2,}\b))).{0,240}"),
    _rule("copyright.symbol_short", _C, r".{1,80}?©.{0,120}", max_words=12, needs=("©",)),
    _rule("copyright.all_rights_reserved", _C, r".{0,400}?\ball rights reserved\b.{0,40}",
          max_words=60, needs=("rights reserved",)),
    _rule("copyright.may_not_be_reproduced", _C,
          _LEAD_SENTENCE + r"(?:this|the) (?:material|content|article|story) (?:may|must) not be "
          r"(?:re)?(?:published|produced|broadcast|rewritten|redistributed|copied)\b.{0,200}",
          needs=("not be",)),
    # Book excerpts: "Reprinted by permission of Basic Books" (The New Republic).
    _rule("copyright.reprint_permission", _C,
          r".{0,300}?\b(?:reprinted|republished|used|excerpted|adapted|reproduced) (?:by|with) "
          r"(?:kind )?permission\b.{0,300}", _TAIL, max_words=70, needs=("permission",)),
    # Spiegel: "Vervielfältigung nur mit Genehmigung".
    _rule("copyright.de_genehmigung", _C,
          r"(?:©.{0,80}?\s)?(?:alle rechte vorbehalten|(?:jede )?(?:vervielf[äa]ltigung"
          r"|weiterverbreitung|nachdruck|weiterverwendung)\b.{0,120}?\b(?:nur mit|ohne)\b.{0,80}?"
          r"genehmigung).{0,120}", max_words=30,
          needs=("rechte vorbehalten", "genehmigung")),
    _rule("copyright.es_derechos", _C,
          r"(?:.{0,120}?\s)?(?:todos los derechos reservados|(?:queda )?prohibida (?:su|la) "
          r"(?:reproducci[oó]n|distribuci[oó]n)).{0,160}",
          needs=("derechos reservados", "prohibida")),
    _rule("copyright.hi_rights_reserved", _C, r".{0,120}?सर्वाधिकार सुरक्षित.{0,120}", max_words=30,
          needs=("सर्वाधिकार सुरक्षित",)),
    # --- advertising --------------------------------------------------------------
    # Not "Advertising" or "Werbung": bummfilm.de uses "Werbung" as a portfolio heading.
    _rule("advertising.label", _AD,
          r"advertisement|sponsored(?: content| post| by .{1,40})?|paid (?:content|post"
          r"|partnership)(?: with .{1,40})?|anzeige|publicidad|reklama|विज्ञापन"
          r"|story continues (?:below|after) (?:this )?advertisement"
          r"|continue reading (?:below|after) (?:the )?(?:ad|advertisement)", max_words=8),
    # Breaking Belize News: "Аdvеrtіѕе wіth thе most visited news site in Веlіzе ~ ...".
    _rule("advertising.advertise_with_us", _AD, r"advertise (?:with|on) (?:us|the|our)\b.{0,400}",
          _TAIL, max_words=60),
    # Breaking Belize News: "Соntасt uѕ аt marketing@breakingbelizenews.com".
    _rule("advertising.contact_email", _AD,
          r"(?:for (?:advertising|sponsorship|ad) (?:inquiries|enquiries|opportunities|rates)?"
          r",?\s*)?"
          r"(?:please )?(?:contact|email|e-mail|write to|reach) us (?:at|on|via)\s+\S+@\S+"
          r"(?:\s+(?:or|and)\s+(?:call|phone|text) us (?:at|on)\s+[\d\s()+.-]{6,24})?"
          r"|for (?:advertising|sponsorship) (?:inquiries|enquiries|opportunities|information)"
          r"\b.{0,120}", max_words=25),
    # --- affiliate disclosures ------------------------------------------------------
    # Dot Esports: "we may earn a small commission at no additional cost to you. ...".
    _rule("affiliate.may_earn_commission", _AF,
          r"(?=.{0,400}?\b(?:links?|purchases?|buy|at no (?:extra|additional) cost|affiliate)\b)"
          r"(?:.{0,240}?\b)?we (?:may |might |could )?(?:earn|receive|get|make) (?:an? )?"
          r"(?:small |tiny )?(?:affiliate )?(?:commission|share of (?:sales|revenue)|compensation)"
          r"\b.{0,300}",
          max_words=60, needs=("commission", "compensation", "share of")),
    _rule("affiliate.contains_affiliate_links", _AF,
          r"(?:this|the) (?:post|article|page|story|content) (?:may )?contains? affiliate links?"
          r"\b.{0,240}|(?:dieser (?:artikel|beitrag) )?enth[äa]lt (?:sogenannte )?"
          r"affiliate-links?\b.{0,200}"),
    _rule("affiliate.amazon_associate", _AF,
          r"as an amazon associate,? (?:i|we) earn from qualifying purchases\b.{0,120}",
          max_words=30),
    # --- share and comment prompts ----------------------------------------------------
    # der-erfolg-gibt-recht.de: "Be Sociable, Share!".
    _rule("share.label", _SH,
          r"share|share this(?: (?:article|story|post|page))?|share (?:on|via) (?:" + _PLATFORM
          + r"|e-?mail)(?:(?:,| and| or) ?(?:" + _PLATFORM + r"|e-?mail))*|click to share.{0,40}"
          r"|be sociable,? share|tweet(?: this)?|e-?mail|print|print this (?:article|page)"
          r"|copy link|comments?|\d+ comments?|leave a (?:comment|reply)|post a comment"
          r"|compartir|comparte esta (?:noticia|nota)|compartir en .{1,20}|teilen"
          r"|artikel teilen|kommentare?|शेयर करें|कमेंट करें", max_words=6),
    _rule("share.prompt", _SH,
          r"(?:please |do )?share this (?:article|story|post|page)\b.{0,120}"
          r"|(?:what do you think\?\s*)?(?:let us know|tell us|share your (?:thoughts|views"
          r"|opinion)) (?:below )?in the comments\b.{0,60}|join the (?:conversation|discussion"
          r"|debate)\b.{0,80}|(?:click|tap) (?:here )?to (?:comment|share)\b.{0,60}", max_words=25),
    # --- related links ---------------------------------------------------------------
    # Telegraph "More stories", Japan Times "RELATED STORIES", Clarín "Mirá también".
    _rule("related.heading", _R,
          r"(?:read more|read also|also read|read next|more stories|more news|related|related "
          r"(?:stories|story|articles?|content|coverage|news|posts|links|reading|topics)|latest "
          r"(?:articles|stories|news|headlines)|most (?:popular|read|viewed|shared)|top stories"
          r"|trending(?: now| stories)?|recommended(?: for you| stories| reading)?|watch (?:this )?"
          r"next|you (?:may|might) also (?:like|be interested in)|more on this (?:story|topic)"
          r"|see also|further reading|mir[aá] tambi[eé]n|lee tambi[eé]n|te puede interesar"
          r"|ver tambi[eé]n|art[ií]culos relacionados|noticias relacionadas|m[aá]s noticias"
          r"|lesen sie auch|lesen sie mehr|auch interessant|mehr zum thema|das k[öo]nnte sie auch "
          r"interessieren|weitere artikel|यह भी पढ़ें|ये भी पढ़ें|इसे भी पढ़ें|संबंधित खबरें)",
          max_words=7),
    # The Atlantic: "Read: This is what adapting to climate change looks like".
    _rule("related.link", _R,
          _READ_MORE_WORDS + r"\s*(?:[:|»>→]|\s-{1,2}\s)\s*.{1,240}", max_words=30),
    # --- reader contributions --------------------------------------------------------
    # CNN: "Are you in the grips of the wintry storm ...? Please share your videos, ...".
    _rule("ugc.share_your_media", _U,
          _LEAD_SENTENCE + r"(?:please )?(?:share|send|submit|upload) (?:us )?your (?:videos?"
          r"|photos?|pictures?|images?|stories|story|tips?|experiences?)\b.{0,160}",
          needs=("share", "send", "submit", "upload")),
    # The Atlantic: "We want to hear what you think about this article. Submit a letter ...".
    _rule("ugc.we_want_to_hear", _U,
          _LEAD_SENTENCE + r"we(?:'d| would)? (?:want|like|love) to hear (?:from you|what you think"
          r"|your (?:views|thoughts|stories))\b.{0,200}|(?:submit|write|send) a letter to the "
          r"editor\b.{0,120}", needs=("hear", "letter to the editor")),
    _rule("ugc.news_tip", _U,
          r"(?:do you |have you )?(?:have|got) a (?:news )?(?:tip|story(?: idea)?)(?: for us)?\?"
          r".{0,160}", max_words=30),
)  # fmt: skip

#!/usr/bin/env python3
"""Generate sluice's sample feeds from a scraped "trending papers" page.

Usage: python3 feeds/make-feeds.py PATH/TO/trending-papers.txt OUTDIR

Writes four feeds to OUTDIR:
  arxiv-cs.xml       RSS 2.0, arXiv-style listing (~25 items)
  daily-papers.atom  Atom 1.0 "Daily Papers" feed (~20 entries)
  lab-notes.rdf      RSS 1.0 (RDF) reading-group feed (~12 items)
  lab-blog.xml       RSS 2.0 lab blog with HTML descriptions (~10 items)

Standard library only and fully deterministic: the same input gives
byte-identical output (no clock, no unseeded randomness; the only
"randomness" is derived from SHA-256 of the paper titles).
"""

import datetime
import hashlib
import html
import os
import re
import sys
import unicodedata
from xml.sax.saxutils import escape, quoteattr

UTC = datetime.timezone.utc

# ---------------------------------------------------------------- input


def read_papers(path):
    """Return [(title, abstract)] in page order.

    The page is a sequence of blank-line separated paragraphs: a few
    header lines, then title / abstract pairs.  Only pairs whose title
    is 10..250 characters and whose abstract is >= 300 characters count.
    """
    with open(path, encoding="utf-8") as f:
        text = f.read().replace("\r\n", "\n").replace("\r", "\n")
    paras = [" ".join(p.split()) for p in re.split(r"\n[ \t]*\n", text)]
    paras = [p for p in paras if p]
    papers, seen, i = [], set(), 0
    while i + 1 < len(paras):
        title, abstract = paras[i], paras[i + 1]
        if 10 <= len(title) <= 250 and len(abstract) >= 300:
            if title.lower() not in seen:
                seen.add(title.lower())
                papers.append((title, abstract))
            i += 2
        else:
            i += 1
    return papers


def h(*parts):
    """Stable integer hash of some strings."""
    data = "\x1f".join(parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


# ---------------------------------------------------------------- metadata

FIRST = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farid", "Greta",
         "Hiroshi", "Ines", "Jonas", "Kavya", "Lars", "Mei", "Nikolai",
         "Olga", "Pablo", "Quentin", "Rania", "Sven", "Tomoko", "Ugo",
         "Valeria", "Wen", "Ximena", "Yusuf", "Zofia"]
LAST = ["Albrecht", "Baptiste", "Castellanos", "Dvorak", "Eriksen",
        "Fonseca", "Gallagher", "Hoshino", "Iwasaki", "Jovanovic", "Kowalski",
        "Lindqvist", "Marchetti", "Nakamura", "Okafor", "Petrov", "Quispe",
        "Rasmussen", "Sandoval", "Takahashi", "Uchida", "Valtonen", "Whitaker",
        "Xu", "Yilmaz", "Zanetti"]

BLOGGERS = [("Mara Lindqvist", "mara"), ("Tobias Hartmann", "tobias"),
            ("Priya Raman", "priya")]
PRESENTERS = ["Dana Okoro", "Felix Brandt", "Ana Sousa", "Lukas Meyer",
              "Ruth Adeyemi"]

# category -> keywords (matched as lower-case substrings of title+abstract)
CATEGORIES = [
    ("cs.CL", ["language model", "llm", "nlp", "text", "instruction",
               "reasoning", "bert", "gpt"]),
    ("cs.CV", ["image", "video", "3d", "nerf", "segmentation", "visual",
               "vision", "rendering", "shape", "motion generation"]),
    ("cs.RO", ["robot", "humanoid", "manipulation", "locomotion",
               "sim-to-real", "policy"]),
    ("cs.NE", ["spiking", "neuromorphic", "hebbian", "physical neural"]),
    ("cs.SD", ["audio", "music", "sound"]),
    ("cs.LG", ["continual", "catastrophic", "forgetting", "incremental",
               "training", "pruning", "distillation", "unlearning",
               "fine-tuning", "reinforcement learning", "hyperparameter"]),
]
SUBJECTS = {"cs.CL": "Computation and Language",
            "cs.CV": "Computer Vision and Pattern Recognition",
            "cs.RO": "Robotics",
            "cs.NE": "Neural and Evolutionary Computing",
            "cs.SD": "Sound",
            "cs.LG": "Machine Learning"}

CL_WORDS = ["continual", "catastrophic", "forgetting", "class-incremental",
            "incremental learning", "stability gap", "replay"]


def categories(title, abstract):
    t, a = title.lower(), abstract.lower()
    scored = []
    for rank, (cat, words) in enumerate(CATEGORIES):
        score = sum(3 * t.count(w) + a.count(w) for w in words)
        if score >= 2:
            scored.append((-score, rank, cat))
    scored.sort()
    cats = [c for _, _, c in scored[:2]]
    if not cats:
        cats = ["cs.LG"]
    return cats


def cl_score(title, abstract):
    t, a = title.lower(), abstract.lower()
    return sum(5 * t.count(w) + a.count(w) for w in CL_WORDS)


def make_authors(title):
    n = 2 + h("n", title) % 2
    out, k = [], 0
    while len(out) < n:
        f = FIRST[h("f", title, str(k)) % len(FIRST)]
        l = LAST[h("l", title, str(k)) % len(LAST)]
        k += 1
        name = f + " " + l
        if all(name.split()[1] != o.split()[1] for o in out):
            out.append(name)
    return out


def slugify(title, maxlen=60):
    s = unicodedata.normalize("NFKD", title)
    s = s.encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    if len(s) > maxlen:
        s = s[:maxlen].rsplit("-", 1)[0]
    return s


def short_name(title):
    if ":" in title and len(title.split(":")[0]) <= 20:
        return title.split(":")[0].strip()
    return " ".join(title.split()[:4])


class Paper:
    pass


def build_papers(raw):
    start = datetime.datetime(2025, 3, 1, 7, 0, tzinfo=UTC)
    step = datetime.timedelta(minutes=395)   # 41 papers -> ~11 days
    papers, used = [], set()
    for i, (title, abstract) in enumerate(raw):
        p = Paper()
        p.index, p.title, p.abstract = i, title, abstract
        num = 1000 + h("arxiv", title) % 18000
        while num in used:
            num += 1
        used.add(num)
        p.arxiv = "2503.%05d" % num
        # one base date per paper; jitter < step keeps them strictly ordered
        p.base = start + i * step + datetime.timedelta(
            minutes=h("min", title) % 45)
        p.authors = make_authors(title)
        p.cats = categories(title, abstract)
        p.cl = cl_score(title, abstract)
        p.continual = "continual" in (title + " " + abstract).lower()
        p.slug = slugify(title)
        papers.append(p)
    return papers


# ---------------------------------------------------------------- selection


def select(papers):
    """Decide which paper goes to which feed.

    blog: the 10 papers with the highest continual-learning score
    (so every "continual" paper lands here); the rest are spread over
    arXiv / Atom / RDF with deliberate overlaps, then any paper still
    missing is added to the RDF feed so every paper appears somewhere.
    """
    by_cl = sorted(papers, key=lambda p: (-p.cl, p.index))
    blog = [p for p in by_cl if p.cl > 0][:10]
    blog_ids = {p.index for p in blog}
    cs = sorted(blog, key=lambda p: h("mix", p.title))
    os_ = sorted((p for p in papers if p.index not in blog_ids),
                 key=lambda p: h("mix", p.title))

    arxiv = cs[0:6] + os_[0:19]
    atom = cs[0:3] + cs[6:8] + os_[12:27]
    rdf = cs[0:2] + cs[3:4] + cs[6:7] + os_[0:2] + os_[14:16] + os_[27:31]

    covered = {p.index for p in arxiv + atom + rdf + blog}
    for p in papers:
        if p.index not in covered:
            rdf.append(p)
            covered.add(p.index)
    return {"arxiv": arxiv, "atom": atom, "rdf": rdf, "blog": blog}


# ---------------------------------------------------------------- dates


def rfc822(dt, tz=UTC, numeric=False):
    dt = dt.astimezone(tz)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
              "Sep", "Oct", "Nov", "Dec"]
    if numeric:
        off = dt.utcoffset()
        mins = int(off.total_seconds()) // 60
        sign = "+" if mins >= 0 else "-"
        zone = "%s%02d%02d" % (sign, abs(mins) // 60, abs(mins) % 60)
    else:
        zone = "GMT"
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        days[dt.weekday()], dt.day, months[dt.month - 1], dt.year,
        dt.hour, dt.minute, dt.second, zone)


def rfc3339(dt, tz=UTC):
    dt = dt.astimezone(tz)
    s = dt.strftime("%Y-%m-%dT%H:%M:%S")
    off = int(dt.utcoffset().total_seconds()) // 60
    if off == 0:
        return s + "Z"
    sign = "+" if off >= 0 else "-"
    return s + "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60)


HOUR = datetime.timedelta(hours=1)
CET = datetime.timezone(datetime.timedelta(hours=1))
EST = datetime.timezone(datetime.timedelta(hours=-5))

# per-feed shift from the paper's base date (hours at most)
SHIFT = {"arxiv": datetime.timedelta(0),
         "atom": datetime.timedelta(hours=1, minutes=30),
         "rdf": datetime.timedelta(hours=2, minutes=45),
         "blog": datetime.timedelta(hours=4, minutes=10)}


def newest_first(items, feed):
    items = sorted(items, key=lambda p: p.base + SHIFT[feed], reverse=True)
    stamps = [p.base + SHIFT[feed] for p in items]
    assert len(set(stamps)) == len(stamps), "duplicate timestamps in " + feed
    return items


# ---------------------------------------------------------------- writers

ARXIV_ABS = "https://arxiv.example.org/abs/"


def gen_arxiv(items):
    items = newest_first(items, "arxiv")
    last = max(p.base for p in items)
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
         ' xmlns:arxiv="http://arxiv.org/schemas/atom">',
         "  <channel>",
         "    <title>cs updates on arXiv.example.org</title>",
         "    <link>https://arxiv.example.org/list/cs/new</link>",
         "    <description>Computer Science (cs) updates on the "
         "arXiv.example.org e-print archive.</description>",
         "    <language>en-us</language>",
         "    <lastBuildDate>%s</lastBuildDate>" % rfc822(last),
         "    <managingEditor>rss-help@arxiv.example.org (arXiv example)"
         "</managingEditor>",
         "    <docs>https://www.rssboard.org/rss-specification</docs>",
         "    <ttl>1440</ttl>"]
    for p in items:
        o += ["    <item>",
              "      <title>%s</title>" % escape(p.title),
              "      <link>%s%s</link>" % (ARXIV_ABS, p.arxiv),
              "      <description>%s</description>" % escape(p.abstract),
              '      <guid isPermaLink="false">oai:arXiv.org:%s</guid>'
              % p.arxiv]
        for c in p.cats:
            o.append("      <category>%s</category>" % c)
        o += ["      <pubDate>%s</pubDate>" % rfc822(p.base + SHIFT["arxiv"]),
              "      <arxiv:announce_type>new</arxiv:announce_type>",
              "      <dc:creator>%s</dc:creator>" % escape(", ".join(p.authors)),
              "    </item>"]
    o += ["  </channel>", "</rss>", ""]
    return "\n".join(o)


def gen_atom(items):
    items = newest_first(items, "atom")
    ids = {}
    for p in items:
        ids[p.index] = 100 + h("atomid", p.title) % 9000
        assert list(ids.values()).count(ids[p.index]) == 1
    upd = {p.index: p.base + SHIFT["atom"] +
           datetime.timedelta(minutes=20 * (h("upd", p.title) % 4))
           for p in items}
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">',
         "  <id>tag:papers.example.org,2025:daily</id>",
         "  <title>Daily Papers</title>",
         '  <subtitle type="text">Trending research papers, curated by the '
         "community.</subtitle>",
         "  <updated>%s</updated>" % rfc3339(max(upd.values())),
         "  <author>",
         "    <name>Daily Papers Editors</name>",
         "    <uri>https://papers.example.org/</uri>",
         "  </author>",
         '  <link rel="self" type="application/atom+xml"'
         ' href="https://papers.example.org/daily.atom"/>',
         '  <link rel="alternate" type="text/html"'
         ' href="https://papers.example.org/"/>',
         '  <generator uri="https://papers.example.org/">papers.example.org'
         "</generator>"]
    for p in items:
        o += ["  <entry>",
              "    <id>tag:papers.example.org,2025:paper/%d</id>" % ids[p.index],
              "    <title type=\"text\">%s</title>" % escape(p.title),
              '    <link rel="alternate" type="text/html"'
              ' href="https://papers.example.org/paper/%s"/>' % p.arxiv,
              "    <published>%s</published>"
              % rfc3339(p.base + SHIFT["atom"]),
              "    <updated>%s</updated>" % rfc3339(upd[p.index])]
        for a in p.authors:
            o += ["    <author>", "      <name>%s</name>" % escape(a),
                  "    </author>"]
        for c in p.cats:
            o.append('    <category term=%s scheme="https://arxiv.example.org/'
                     'archive" label=%s/>' % (quoteattr(c),
                                              quoteattr(SUBJECTS[c])))
        o += ['    <summary type="text">%s</summary>' % escape(p.abstract),
              "  </entry>"]
    o += ["</feed>", ""]
    return "\n".join(o)


MLRG = "https://mlrg.example.edu/"


def gen_rdf(items):
    items = newest_first(items, "rdf")

    def about(p):
        d = (p.base + SHIFT["rdf"]).astimezone(EST)
        return "%snotes/%s/%s/" % (MLRG, d.strftime("%Y-%m-%d"), p.slug)

    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"',
         '         xmlns="http://purl.org/rss/1.0/"',
         '         xmlns:dc="http://purl.org/dc/elements/1.1/">',
         '  <channel rdf:about="%snotes.rdf">' % MLRG,
         "    <title>Machine Learning Reading Group - Session Notes</title>",
         "    <link>%s</link>" % MLRG,
         "    <description>Notes and paper summaries from the weekly Machine "
         "Learning Reading Group.</description>",
         "    <dc:language>en</dc:language>",
         "    <dc:publisher>Machine Learning Reading Group</dc:publisher>",
         "    <dc:date>%s</dc:date>"
         % rfc3339(max(p.base for p in items) + SHIFT["rdf"], EST),
         "    <items>",
         "      <rdf:Seq>"]
    for p in items:
        o.append('        <rdf:li rdf:resource="%s"/>' % about(p))
    o += ["      </rdf:Seq>", "    </items>", "  </channel>"]
    for p in items:
        presenter = PRESENTERS[h("pres", p.title) % len(PRESENTERS)]
        desc = "Presented by %s. Authors: %s. %s" % (
            presenter, ", ".join(p.authors), p.abstract)
        o += ['  <item rdf:about="%s">' % about(p),
              "    <title>%s</title>" % escape(p.title),
              "    <link>%s</link>" % about(p),
              "    <description>%s</description>" % escape(desc),
              "    <dc:date>%s</dc:date>"
              % rfc3339(p.base + SHIFT["rdf"], EST),
              "    <dc:creator>%s</dc:creator>" % escape(presenter)]
        for c in p.cats:
            o.append("    <dc:subject>%s</dc:subject>" % escape(SUBJECTS[c]))
        o.append("  </item>")
    o += ["</rdf:RDF>", ""]
    return "\n".join(o)


BLOG = "https://cl-lab.example.org/blog/"
INTROS = [
    "This week we read {t}, which is squarely in our continual-learning "
    "wheelhouse.",
    "Our reading group spent a session on {t}; here is the gist and why we "
    "think it matters for learning without forgetting.",
    "We have been discussing {t} in the lab, a paper that takes a fresh look "
    "at how models cope with a changing stream of tasks.",
    "A short note on {t}, which several of us found useful for thinking "
    "about stability and plasticity.",
]


def gen_blog(items):
    items = newest_first(items, "blog")
    # two posts about papers with a short "NAME: ..." title get a blog-style
    # title instead of the paper title; all others use the paper title
    named = [p for p in items if short_name(p.title) != " ".join(
        p.title.split()[:4])]
    renamed = {p.index for p in sorted(named,
                                       key=lambda p: h("ren", p.title))[:2]}
    last = max(p.base for p in items) + SHIFT["blog"]
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">',
         "  <channel>",
         "    <title>Continual Learning Lab Blog</title>",
         "    <link>%s</link>" % BLOG,
         "    <description>Posts from the Continual Learning Lab about papers "
         "we read, learning without forgetting, and lifelong machine "
         "learning.</description>",
         "    <language>en-gb</language>",
         "    <lastBuildDate>%s</lastBuildDate>"
         % rfc822(last, CET, numeric=True),
         '    <atom:link href="%sfeed.xml" rel="self"'
         ' type="application/rss+xml"/>' % BLOG]
    for p in items:
        when = p.base + SHIFT["blog"]
        url = "%s%s/%s/" % (BLOG, when.astimezone(CET).strftime("%Y/%m"),
                            p.slug)
        name, user = BLOGGERS[h("blogger", p.title) % len(BLOGGERS)]
        if p.index in renamed:
            title = "Reading notes: %s and what it means for our lab" % \
                short_name(p.title)
        else:
            title = p.title
        intro = INTROS[h("intro", p.title) % len(INTROS)].format(
            t="<a href=\"%s%s\"><em>%s</em></a> (%s)" % (
                ARXIV_ABS, p.arxiv, html.escape(p.title, quote=False),
                html.escape(", ".join(p.authors), quote=False)))
        body = ("<p>%s</p>\n<p>From the abstract:</p>\n"
                "<blockquote><p>%s</p></blockquote>\n"
                "<p>Read the paper on <a href=\"%s%s\">arXiv</a>.</p>") % (
            intro, html.escape(p.abstract, quote=False), ARXIV_ABS, p.arxiv)
        o += ["    <item>",
              "      <title>%s</title>" % escape(title),
              "      <link>%s</link>" % url,
              "      <description>%s</description>" % escape(body),
              "      <author>%s@cl-lab.example.org (%s)</author>"
              % (user, name),
              "      <category>%s</category>" % (
                  "continual learning" if p.continual else "reading group"),
              '      <guid isPermaLink="true">%s</guid>' % url,
              "      <pubDate>%s</pubDate>" % rfc822(when, CET, numeric=True),
              "    </item>"]
    o += ["  </channel>", "</rss>", ""]
    return "\n".join(o)


# ---------------------------------------------------------------- main


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s PAPERS.txt OUTDIR\n" % argv[0])
        return 2
    papers = build_papers(read_papers(argv[1]))
    if len(papers) < 20:
        sys.stderr.write("only %d papers found in %s\n" % (len(papers), argv[1]))
        return 1
    sel = select(papers)

    # sanity checks on the selection
    count = {}
    for feed in sel.values():
        for p in feed:
            count[p.index] = count.get(p.index, 0) + 1
    assert all(count.get(p.index, 0) >= 1 for p in papers)
    assert all(count[p.index] >= 1 for p in papers if p.continual)
    assert sum(1 for v in count.values() if v >= 2) >= 8
    assert sum(1 for v in count.values() if v >= 3) >= 4

    out = argv[2]
    os.makedirs(out, exist_ok=True)
    docs = [("arxiv-cs.xml", gen_arxiv(sel["arxiv"])),
            ("daily-papers.atom", gen_atom(sel["atom"])),
            ("lab-notes.rdf", gen_rdf(sel["rdf"])),
            ("lab-blog.xml", gen_blog(sel["blog"]))]
    for name, text in docs:
        with open(os.path.join(out, name), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(text)
    for key, name in zip(["arxiv", "atom", "rdf", "blog"],
                         [d[0] for d in docs]):
        print("%-18s %2d entries" % (name, len(sel[key])))
    hist = {}
    for v in count.values():
        hist[v] = hist.get(v, 0) + 1
    print("papers: %d; by number of feeds: %s" % (
        len(papers), ", ".join("%d->%d" % kv for kv in sorted(hist.items()))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Product search: one document per product, searchable in Chinese and in English.

Chinese is written without spaces, so word-based full-text search would only find whole titles.
The document therefore carries, after the plain text, every overlapping pair of characters of each
run of CJK text (the bigram tokenisation search engines use for Chinese): a query's CJK run becomes
a phrase of its bigrams, which finds a word anywhere inside unspaced text. Latin text goes through
PostgreSQL's `english` configuration (stemming, stop words).

On PostgreSQL the document is stored as a `tsvector` (`Product.search_vector`) with a GIN index;
on SQLite (the embedded default) search falls back to substring matching of each query term."""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value

CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[^\W_]+", re.UNICODE)
CONFIG = "english"
MAX_QUERY_TERMS = 12
SEGMENTS = "\n"  # separates the titles' segment (weight A) from the rest (weight B)


def bigrams(run):
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def _segment(parts):
    text = " ".join(part.strip() for part in parts if part and part.strip()).lower()
    grams = []
    for run in CJK_RUN.findall(text):
        grams.extend(bigrams(run))
        if len(run) > 1:
            grams.append(run[-1])
    return f"{text} {' '.join(grams)}".strip()


def document(*parts, titles=()):
    """The searchable text of a product: the parts as written, then the CJK bigrams of each run and
    its last character alone (so a one-character query, searched as a prefix, finds every place).
    With `titles`, the titles' segment comes first on a line of its own: the stored vector weighs
    it above the rest (brand, category, SKUs), so a title match ranks first."""
    rest = _segment(parts)
    if not titles:
        return rest
    return f"{_segment(titles).replace(SEGMENTS, ' ')}{SEGMENTS}{rest}"


def query_terms(query):
    """Split what the shopper typed into CJK runs and Latin words (lower-cased, deduplicated)."""
    query = (query or "").lower()[:200]
    runs = CJK_RUN.findall(query)
    words = LATIN_WORD.findall(CJK_RUN.sub(" ", query))
    seen, terms = set(), []
    for term in runs + words:
        if term not in seen:
            seen.add(term)
            terms.append(term)
    return terms[:MAX_QUERY_TERMS]


def uses_postgres():
    return connection.vendor == "postgresql"


def _tsquery(terms):
    combined = None
    for term in terms:
        if CJK_RUN.fullmatch(term):
            grams = bigrams(term)
            raw = f"{grams[0]}:*" if len(term) == 1 else " <-> ".join(grams)
            part = SearchQuery(raw, config="simple", search_type="raw")
        else:
            part = SearchQuery(term, config=CONFIG, search_type="plain")
        combined = part if combined is None else combined & part
    return combined


def apply(queryset, query):
    """Products matching every term of `query`; on PostgreSQL annotated with `rank`."""
    terms = query_terms(query)
    if not terms:
        return queryset.none()
    if uses_postgres():
        tsquery = _tsquery(terms)
        return queryset.filter(search_vector=tsquery).annotate(rank=SearchRank(F("search_vector"), tsquery))
    condition = Q()
    for term in terms:
        condition &= Q(search_document__icontains=term)
    return queryset.filter(condition)


def refresh_vectors(product_ids, model=None):
    """Recompute the stored tsvector of these rows from their documents (PostgreSQL only). `model`
    is any model with `search_document` and `search_vector` (the partner zone's listings); Product
    by default."""
    if not uses_postgres() or not product_ids:
        return
    if model is None:
        from .models import Product as model

    model.objects.filter(pk__in=list(product_ids)).update(search_vector=weighted_vector())


def weighted_vector():
    """The tsvector of a stored document: its first line (the titles) weighted A, the rest B. A
    document without a line break is all A, which ranks the same as before weights existed."""

    def segment(n):
        return Func(F("search_document"), Value(SEGMENTS), Value(n), function="split_part", output_field=TextField())

    return SearchVector(segment(1), config=CONFIG, weight="A") + SearchVector(segment(2), config=CONFIG, weight="B")
